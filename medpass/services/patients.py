"""Read-side use cases: each feed's current view of a patient, and the history of what each said."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import AllergyRow, FeedMessageRow, MedicationRow, PatientRow
from medpass.domain.errors import Conflict, NotFound
from medpass.domain.feeds import Feed
from medpass.domain.nhs_number import normalise_nhs_number
from medpass.domain.patients import Demographics, Practice
from medpass.services.storage import storage_errors


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


def patient_version(session: Session, patient_id: int) -> tuple[Demographics, int, datetime]:
    """A patient with the version of their demographics and when they were last stated, or NotFound."""
    row = session.get(PatientRow, patient_id)
    if row is None:
        raise NotFound(f"Patient/{patient_id} is not known")
    return demographics_of(row), row.version, row.demographics_as_of


def patients_with_nhs_number(session: Session, nhs_number: str) -> list[tuple[int, Demographics, int]]:
    """The patient with this NHS number, as a search result (id, demographics, version; empty when unknown)."""
    row = repository.find_patient(session, normalise_nhs_number(nhs_number))
    return [(row.id, demographics_of(row), row.version)] if row else []


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


def search_patients(
    session: Session, *, name: str | None, birth_date: tuple[str, str] | None
) -> list[tuple[int, Demographics, int]]:
    """Patient?name=&birthdate=: by the start of a name and a birth date (with a prefix); (id, demographics, version)."""
    return [(row.id, demographics_of(row), row.version) for row in repository.search_patients(session, name=name, birth_date=birth_date)]


def register_patient(
    session: Session, demographics: Demographics, now: datetime, *, only_if_new: bool
) -> tuple[int, Demographics, int, bool]:
    """A client creates a Patient: medpass starts to know them. (id, demographics, version, created).

    Identity is the NHS number: with `only_if_new` (conditional create) an existing patient is returned
    unchanged; without it, creating a patient medpass already knows is a Conflict naming the existing one.
    """
    with storage_errors(session):
        existing = repository.find_patient(session, demographics.nhs_number)
        if existing is not None:
            session.rollback()
            if only_if_new:
                return existing.id, demographics_of(existing), existing.version, False
            raise Conflict(f"Patient/{existing.id} already has NHS number {demographics.nhs_number}: "
                           "read it, or create with If-None-Exist (conditional create)")
        try:
            patient_id = repository.save_patient(session, None, demographics, now, now)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    row = session.get(PatientRow, patient_id)
    assert row is not None
    return patient_id, demographics_of(row), row.version, True


def stored_message(session: Session, message_id: int) -> tuple[FeedMessageRow, dict[str, Any]]:
    """A feed message as it was received (the JSON the sender sent), or NotFound."""
    row = session.get(FeedMessageRow, message_id)
    if row is None:
        raise NotFound(f"Bundle/{message_id} is not known")
    loaded = json.loads(row.raw)
    return row, loaded if isinstance(loaded, dict) else {}
