"""Read-side use cases: each feed's current view of a patient, and the history of what each said."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import AllergyRow, FeedMessageRow, MedicationRow, PatientRow
from medpass.domain.errors import NotFound
from medpass.domain.feeds import Feed
from medpass.domain.nhs_number import normalise_nhs_number


@dataclass(frozen=True)
class FeedView:
    """One feed's newest message about a patient, with what it stated."""

    feed: Feed
    message: FeedMessageRow | None
    medications: list[MedicationRow]
    allergies: list[AllergyRow]


@dataclass(frozen=True)
class PatientOverview:
    """A patient, each feed's current view side by side, and every message received."""

    patient: PatientRow
    views: list[FeedView]
    history: list[FeedMessageRow]


def list_patients(session: Session) -> list[PatientRow]:
    """Every patient medpass has heard of."""
    return repository.list_patients(session)


def feed_view(session: Session, patient: PatientRow, feed: Feed) -> FeedView:
    """A feed's current view: its newest message (by the sender's time) and what that message said."""
    message = repository.current_message(session, patient.id, feed.value)
    if message is None:
        return FeedView(feed, None, [], [])
    return FeedView(feed, message, repository.medications_of(session, message.id), repository.allergies_of(session, message.id))


def patient_overview(session: Session, nhs_number: str) -> PatientOverview:
    """Everything medpass holds about one patient, or NotFound."""
    patient = repository.find_patient(session, normalise_nhs_number(nhs_number))
    if patient is None:
        raise NotFound(f"no patient with NHS number {nhs_number}")
    return PatientOverview(
        patient=patient,
        views=[feed_view(session, patient, feed) for feed in Feed],
        history=repository.message_history(session, patient.id),
    )
