"""Read-side use cases: each feed's current view of a patient, and the history of what each said."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import AllergyRow, FeedMessageRow, MedicationRow, PatientRow
from medpass.domain.errors import NotFound
from medpass.domain.feeds import Feed
from medpass.domain.nhs_number import normalise_nhs_number
from medpass.domain.patients import Demographics, Practice


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


def demographics_of(row: PatientRow) -> Demographics:
    """A stored patient as the domain's Demographics."""
    practice = Practice(row.gp_practice_ods, row.gp_practice_name) if (row.gp_practice_ods or row.gp_practice_name) else None
    return Demographics(row.nhs_number, row.family, row.given, row.prefix, row.birth_date, row.gender, practice)


def patient_by_id(session: Session, patient_id: int) -> tuple[int, Demographics]:
    """One patient by medpass's id, or NotFound."""
    row = session.get(PatientRow, patient_id)
    if row is None:
        raise NotFound(f"Patient/{patient_id} is not known")
    return row.id, demographics_of(row)


def patients_with_nhs_number(session: Session, nhs_number: str) -> list[tuple[int, Demographics]]:
    """The patient with this NHS number, as a search result (empty when unknown)."""
    row = repository.find_patient(session, normalise_nhs_number(nhs_number))
    return [(row.id, demographics_of(row))] if row else []


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
