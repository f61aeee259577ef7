"""Reconcile a patient's feeds: recomputed on every ingest, stored with each discrepancy's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from medpass.db import feed_views, issues, repository
from medpass.db.rows import DetectedIssueRow, PatientRow
from medpass.domain.agreement import LineAgreement, agree
from medpass.domain.discrepancies import HARM_ORDER, Harm
from medpass.domain.errors import NotFound
from medpass.domain.issue_lifecycle import StoredIssue, fingerprint
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.nhs_number import normalise_nhs_number
from medpass.domain.reconciliation import Reconciliation, reconcile
from medpass.reference.dictionary import medicines_dictionary


@dataclass(frozen=True)
class PatientReconciliation:
    """A patient, the feed lists compared, what the comparison found, the stored issues with their status, and the
    agreed state of every medicine."""

    patient: PatientRow
    lists: tuple[FeedList, ...]
    result: Reconciliation
    issues: tuple[StoredIssue, ...]
    agreements: tuple[LineAgreement, ...]

    @property
    def statements(self) -> dict[str, FeedStatement]:
        """Every current statement by its reference."""
        return {s.reference: s for feed_list in self.lists for s in feed_list.statements}


@dataclass(frozen=True)
class StoredReconciliation:
    """The lists compared, what was found, and the stored discrepancies this reconciliation opened."""

    lists: list[FeedList]
    result: Reconciliation
    opened: list[DetectedIssueRow]


def store_discrepancies(session: Session, patient: PatientRow, now: datetime) -> StoredReconciliation:
    """Compare each feed's current list and store what was found (the caller commits): run on every ingest."""
    repository.lock_patient(session, patient.id)
    lists = feed_views.feed_lists(session, patient.id)
    records = feed_views.test_results(session, patient.id)
    result = reconcile(lists, medicines_dictionary(), patient.birth_date, now.date(), records, patient.gender)
    statements = {s.reference: s for feed_list in lists for s in feed_list.statements}
    opened = issues.save_found(session, patient.id, [(d, fingerprint(d, statements)) for d in result.discrepancies], now)
    return StoredReconciliation(lists, result, opened)


def refresh_discrepancies(session: Session, patient: PatientRow, now: datetime) -> PatientReconciliation:
    """Store the discrepancies found now and read them back with their status and history."""
    stored = store_discrepancies(session, patient, now)
    lists, result = stored.lists, stored.result
    session.flush()
    found = sorted(issues.patient_issues(session, patient.id), key=lambda i: (HARM_ORDER[Harm(i.severity)], i.medicine, i.code))
    return PatientReconciliation(patient, tuple(lists), result, tuple(found), agree(result.lines, lists, found))


def reconcile_patient(session: Session, nhs_number: str, now: datetime) -> PatientReconciliation:
    """Reconcile one patient now and commit the stored issues; NotFound for an unknown NHS number."""
    patient = repository.find_patient(session, normalise_nhs_number(nhs_number))
    if patient is None:
        raise NotFound(f"no patient with NHS number {nhs_number}")
    found = refresh_discrepancies(session, patient, now)
    session.commit()
    return found
