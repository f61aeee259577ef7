"""Reconcile a patient's feeds now: the use case behind the discrepancies command, the API and the passport."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import PatientRow
from medpass.domain.errors import NotFound
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList
from medpass.domain.nhs_number import normalise_nhs_number
from medpass.domain.reconciliation import Reconciliation, reconcile
from medpass.reference.dictionary import medicines_dictionary


@dataclass(frozen=True)
class PatientReconciliation:
    """A patient, the feed lists compared, and what the comparison found."""

    patient: PatientRow
    lists: tuple[FeedList, ...]
    result: Reconciliation


def reconcile_patient(session: Session, nhs_number: str, today: date) -> PatientReconciliation:
    """Compare each feed's current list for one patient, or raise NotFound."""
    patient = repository.find_patient(session, normalise_nhs_number(nhs_number))
    if patient is None:
        raise NotFound(f"no patient with NHS number {nhs_number}")
    lists = [found for feed in Feed if (found := repository.feed_list(session, patient.id, feed)) is not None]
    result = reconcile(lists, medicines_dictionary(), patient.birth_date, today)
    return PatientReconciliation(patient, tuple(lists), result)
