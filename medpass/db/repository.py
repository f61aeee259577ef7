"""Rows in, domain values out: every query and write medpass makes about patients and feed messages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, desc, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from medpass.db.rows import AllergyRow, FeedMessageRow, MedicationRow, PatientRow
from medpass.db.tables import ALLERGIES, LAB_RESULTS, MEDICATIONS, MESSAGES, PATIENTS
from medpass.domain.allergies import Allergy
from medpass.domain.feeds import Feed
from medpass.domain.medications import (
    Dosage,
    MedicationEntry,
)
from medpass.domain.medicines import Coding
from medpass.domain.messages import FeedMessage
from medpass.domain.patients import Demographics


def _coding_values(codings: tuple[Coding, ...]) -> list[dict[str, str | None]]:
    """Codings as JSON objects."""
    return [{"system": c.system, "code": c.code, "display": c.display} for c in codings]


def _dosage_values(dosage: Dosage) -> dict[str, Any]:
    """A Dosage as a JSON object; Decimals become strings so no precision is lost."""
    return {
        "text": dosage.text,
        "patient_instruction": dosage.patient_instruction,
        "frequency": dosage.frequency,
        "period": None if dosage.period is None else str(dosage.period),
        "period_unit": dosage.period_unit,
        "when": list(dosage.when),
        "time_of_day": list(dosage.time_of_day),
        "route": _coding_values((dosage.route,))[0] if dosage.route else None,
        "dose_value": None if dosage.dose_value is None else str(dosage.dose_value),
        "dose_unit": dosage.dose_unit,
        "as_needed": dosage.as_needed,
        "day_of_week": list(dosage.day_of_week),
    }


def find_patient(session: Session, nhs_number: str) -> PatientRow | None:
    """The patient with this NHS number, if medpass has heard of them."""
    return session.scalars(select(PatientRow).where(PatientRow.nhs_number == nhs_number)).one_or_none()


def lock_patient(session: Session, patient_id: int) -> None:
    """Hold the patient's row until this transaction ends (PostgreSQL FOR UPDATE), so that two requests writing what
    they found about one patient (discrepancies, a passport version) take turns; other patients are not held.
    SQLite needs no lock: the app's writing transactions already run one at a time (db/session.py)."""
    session.execute(select(PATIENTS.c.id).where(PATIENTS.c.id == patient_id).with_for_update())


def search_patients(session: Session, *, name: str | None = None, birth_date: tuple[str, str] | None = None) -> list[PatientRow]:
    """Patients with a family or given name starting with `name` (any case), born as `birth_date` says ((prefix, day))."""
    query = select(PatientRow)
    if name:
        start = name.casefold().replace("%", "").replace("_", "")
        query = query.where(or_(func.lower(PatientRow.family).like(f"{start}%"), func.lower(PatientRow.given).like(f"{start}%"),
                                func.lower(PatientRow.given).like(f"% {start}%")))
    if birth_date:
        prefix, day = birth_date
        column = PatientRow.birth_date
        comparison = {"eq": column == day, "ge": column >= day, "le": column <= day, "gt": column > day, "lt": column < day}[prefix]
        query = query.where(comparison)
    return list(session.scalars(query.order_by(PatientRow.id)))


def _demographic_values(demographics: Demographics, as_of: datetime) -> dict[str, Any]:
    """The patient columns a message sets."""
    practice = demographics.gp_practice
    return {
        "family": demographics.family,
        "given": demographics.given,
        "prefix": demographics.prefix,
        "birth_date": demographics.birth_date,
        "gender": demographics.gender,
        "gp_practice_ods": practice.ods_code if practice else None,
        "gp_practice_name": practice.name if practice else None,
        "demographics_as_of": as_of,
    }


def _insert_ignoring_conflict(session: Session) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for the session's database (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def patient_and_duplicate(session: Session, nhs_number: str, feed: str, content_hash: str) -> tuple[int | None, int | None]:
    """In one query: the patient's id (if known) and the id of a stored message with the same content."""
    patients, messages = PATIENTS.c, MESSAGES.c
    found = session.execute(
        select(patients.id, messages.id)
        .select_from(PATIENTS)
        .outerjoin(
            MESSAGES,
            and_(messages.patient_id == patients.id, messages.feed == feed, messages.content_hash == content_hash),
        )
        .where(patients.nhs_number == nhs_number)
    ).first()
    return (found[0], found[1]) if found else (None, None)


def save_patient(session: Session, patient_id: int | None, demographics: Demographics, as_of: datetime, now: datetime) -> int:
    """Create the patient, or take this message's demographics only if it is the newest yet; return the id.

    Both are single statements, so concurrent writers never lose the newest demographics.
    """
    values = _demographic_values(demographics, as_of)
    if patient_id is None:
        insert_for = _insert_ignoring_conflict(session)
        created = session.execute(
            insert_for(PATIENTS)
            .values(nhs_number=demographics.nhs_number, created_at=now, **values)
            .on_conflict_do_nothing(index_elements=["nhs_number"])
            .returning(PATIENTS.c.id)
        ).scalar_one_or_none()
        if created is not None:
            return int(created)
        patient_id = session.execute(select(PATIENTS.c.id).where(PATIENTS.c.nhs_number == demographics.nhs_number)).scalar_one()
    session.execute(
        update(PATIENTS).where(PATIENTS.c.id == patient_id, PATIENTS.c.demographics_as_of <= as_of)
        .values(**values, version=PATIENTS.c.version + 1)
    )
    return patient_id




def _medication_values(entry: MedicationEntry, position: int) -> dict[str, Any]:
    """One MedicationEntry as column values."""
    medicine, change, dmd = entry.medicine, entry.change, entry.medicine.dmd_coding
    return {
        "position": position,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "status": entry.status,
        "source_status": entry.source_status,
        "status_reason": entry.status_reason,
        "status_changed": entry.status_changed,
        "medicine_name": medicine.name,
        "medicine_text": medicine.text,
        "dmd_code": dmd.code if dmd else None,
        "codings": _coding_values(medicine.codings),
        "form": medicine.form,
        "transfer_degraded": medicine.is_transfer_degraded,
        "dosage_text": entry.dosage_text,
        "dosages": [_dosage_values(d) for d in entry.dosages],
        "effective_start": entry.effective_start,
        "effective_end": entry.effective_end,
        "date_asserted": entry.date_asserted,
        "prescriber": entry.prescriber.value if entry.prescriber else None,
        "prescriber_detail": entry.prescriber_detail,
        "change_status": change.status.value if change else None,
        "change_reason": change.reason if change else None,
        "change_date": change.date_changed if change else None,
        "change_details": change.details if change else None,
        "last_issue_date": entry.last_issue_date,
        "last_dose_date": entry.last_dose_date,
        "plan_id": entry.plan_id,
        "prior_plan_id": entry.prior_plan_id,
        "list_kind": entry.list_kind.value if entry.list_kind else None,
        "category": entry.category,
        "notes": list(entry.notes),
        "indication": entry.indication,
    }


def _allergy_values(allergy: Allergy, position: int) -> dict[str, Any]:
    """One Allergy as column values."""
    return {
        "position": position,
        "source_id": allergy.source_id,
        "substance_name": allergy.substance.name,
        "codings": _coding_values(allergy.substance.codings),
        "clinical_status": allergy.clinical_status,
        "verification_status": allergy.verification_status,
        "criticality": allergy.criticality,
        "categories": list(allergy.categories),
        "reactions": list(allergy.reactions),
        "recorded_date": allergy.recorded_date,
        "note": allergy.note,
    }


def add_message(
    session: Session,
    patient_id: int,
    feed: str,
    message: FeedMessage,
    *,
    raw: str,
    content_hash: str,
    sender: str,
    received_at: datetime,
) -> int:
    """Store a message verbatim with every medicine and allergy read from it; return its id."""
    values = dict(
        patient_id=patient_id,
        feed=feed,
        sender=sender,
        source_organisation=message.source_organisation,
        received_at=received_at,
        asserted_at=message.asserted_at or received_at,
        content_hash=content_hash,
        fhir_version=message.fhir_version,
        bundle_type=message.bundle_type,
        medications_known=message.medication_list.known,
        inpatient=message.inpatient,
        medications_unknown_reason=message.medication_list.reason,
        warnings=[asdict(w) for w in message.warnings],
        raw=raw,
    )
    message_id = session.execute(insert(MESSAGES).values(**values).returning(MESSAGES.c.id)).scalar_one()
    common = {"message_id": message_id, "patient_id": patient_id, "feed": feed}
    if message.medications:
        session.execute(
            insert(MEDICATIONS),
            [common | _medication_values(e, i) for i, e in enumerate(message.medications)],
        )
    if message.tests:
        session.execute(
            insert(LAB_RESULTS),
            [common | {"kind": t.kind, "taken_on": t.taken_on, "value": None if t.value is None else str(t.value), "unit": t.unit}
             for t in message.tests],
        )
    if message.allergies:
        session.execute(
            insert(ALLERGIES),
            [common | _allergy_values(a, i) for i, a in enumerate(message.allergies)],
        )
    return int(message_id)


def current_message(session: Session, patient_id: int, feed: str) -> FeedMessageRow | None:
    """A feed's current view of a patient: its newest message by the sender's time, then arrival."""
    return session.scalars(
        select(FeedMessageRow)
        .where(FeedMessageRow.patient_id == patient_id, FeedMessageRow.feed == feed)
        .order_by(desc(FeedMessageRow.asserted_at), desc(FeedMessageRow.received_at), desc(FeedMessageRow.id))
        .limit(1)
    ).first()


def current_messages(session: Session, patient_id: int) -> list[FeedMessageRow]:
    """Each feed's current message about a patient."""
    return [m for feed in Feed if (m := current_message(session, patient_id, feed.value)) is not None]


def message_history(session: Session, patient_id: int) -> list[FeedMessageRow]:
    """Every message about a patient, newest first: what changed, when, and who said so."""
    return list(
        session.scalars(
            select(FeedMessageRow)
            .where(FeedMessageRow.patient_id == patient_id)
            .order_by(desc(FeedMessageRow.asserted_at), desc(FeedMessageRow.id))
        )
    )


def medications_of(session: Session, message_id: int) -> list[MedicationRow]:
    """The medicines one message stated, in its order."""
    return list(
        session.scalars(select(MedicationRow).where(MedicationRow.message_id == message_id).order_by(MedicationRow.position))
    )


def allergies_of(session: Session, message_id: int) -> list[AllergyRow]:
    """The allergies one message recorded, in its order."""
    return list(
        session.scalars(select(AllergyRow).where(AllergyRow.message_id == message_id).order_by(AllergyRow.position))
    )


def list_patients(session: Session) -> list[PatientRow]:
    """Every patient, by family name."""
    return list(session.scalars(select(PatientRow).order_by(PatientRow.family, PatientRow.nhs_number)))
