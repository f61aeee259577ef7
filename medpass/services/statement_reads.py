"""Read the feeds' statements and the reconciled list for the API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from medpass.db import feed_views
from medpass.domain.errors import NotFound
from medpass.domain.lines import FeedStatement
from medpass.domain.reconciled_list import ReconciledLine, reconciled_lines
from medpass.services.patients import patient_by_id
from medpass.services.reconcile import reconcile_patient


def find_statement(session: Session, statement_id: int) -> tuple[int, FeedStatement]:
    """One feed statement and its patient's id, or NotFound."""
    found = feed_views.statement_by_id(session, statement_id)
    if found is None:
        raise NotFound(f"MedicationStatement/{statement_id} is not known")
    return found


def current_statements(session: Session, patient_id: int, snapshot: int | None = None) -> tuple[int, list[FeedStatement]]:
    """Every statement of each feed's current message about a patient, as of a snapshot (default: now).

    The snapshot is the newest message id taken into account; paging holds it still, so later pages are
    consistent with the first even while feeds keep sending.
    """
    patient_by_id(session, patient_id)
    at = feed_views.latest_message_id(session, patient_id) if snapshot is None else snapshot
    return at, [s for feed_list in feed_views.feed_lists(session, patient_id, at) for s in feed_list.statements]


def reconciled_for(session: Session, patient_id: int, now: datetime) -> list[ReconciledLine]:
    """The patient's reconciled list, reconciled now."""
    _, demographics = patient_by_id(session, patient_id)
    found = reconcile_patient(session, demographics.nhs_number, now)
    practice = demographics.gp_practice.name if demographics.gp_practice and demographics.gp_practice.name else "GP practice"
    return reconciled_lines(found.agreements, practice)
