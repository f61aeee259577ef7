"""Rows in, domain values out: every query and write medpass makes about patients and feed messages."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import desc, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medpass.db.rows import AllergyRow, FeedMessageRow, MedicationRow, PatientRow
from medpass.domain.allergies import Allergy
from medpass.domain.medications import MedicationEntry
from medpass.domain.messages import FeedMessage
from medpass.domain.patients import Demographics


def _plain(value: Any) -> Any:
    """A dataclass tree as JSON-ready values (Decimals as strings, so no precision is lost)."""
    return json.loads(json.dumps(value, default=lambda v: str(v) if isinstance(v, Decimal) else v))


def find_patient(session: Session, nhs_number: str) -> PatientRow | None:
    """The patient with this NHS number, if medpass has heard of them."""
    return session.scalars(select(PatientRow).where(PatientRow.nhs_number == nhs_number)).one_or_none()


def _apply_demographics(row: PatientRow, demographics: Demographics, as_of: datetime) -> None:
    """Copy the message's demographics onto the patient row."""
    practice = demographics.gp_practice
    row.family, row.given, row.prefix = demographics.family, demographics.given, demographics.prefix
    row.birth_date, row.gender = demographics.birth_date, demographics.gender
    row.gp_practice_ods = practice.ods_code if practice else None
    row.gp_practice_name = practice.name if practice else None
    row.demographics_as_of = as_of


def upsert_patient(session: Session, demographics: Demographics, as_of: datetime, now: datetime) -> PatientRow:
    """Find or create the patient; take this message's demographics only if it is the newest yet."""
    row = find_patient(session, demographics.nhs_number)
    if row is None:
        row = PatientRow(nhs_number=demographics.nhs_number, created_at=now)
        _apply_demographics(row, demographics, as_of)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another writer created them first
            row = find_patient(session, demographics.nhs_number)
            assert row is not None
        else:
            return row
    if as_of >= row.demographics_as_of:
        _apply_demographics(row, demographics, as_of)
    return row


def find_message(session: Session, patient_id: int, feed: str, content_hash: str) -> FeedMessageRow | None:
    """A message already stored with the same content for this patient and feed."""
    return session.scalars(
        select(FeedMessageRow).where(
            FeedMessageRow.patient_id == patient_id,
            FeedMessageRow.feed == feed,
            FeedMessageRow.content_hash == content_hash,
        )
    ).one_or_none()


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
        "codings": _plain([asdict(c) for c in medicine.codings]),
        "form": medicine.form,
        "transfer_degraded": medicine.is_transfer_degraded,
        "dosage_text": entry.dosage_text,
        "dosages": _plain([asdict(d) for d in entry.dosages]),
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
    }


def _allergy_values(allergy: Allergy, position: int) -> dict[str, Any]:
    """One Allergy as column values."""
    return {
        "position": position,
        "source_id": allergy.source_id,
        "substance_name": allergy.substance.name,
        "codings": _plain([asdict(c) for c in allergy.substance.codings]),
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
    patient: PatientRow,
    feed: str,
    message: FeedMessage,
    *,
    raw: str,
    content_hash: str,
    sender: str,
    received_at: datetime,
) -> FeedMessageRow:
    """Store a message verbatim with every medicine and allergy read from it."""
    row = FeedMessageRow(
        patient_id=patient.id,
        feed=feed,
        sender=sender,
        source_organisation=message.source_organisation,
        received_at=received_at,
        asserted_at=message.asserted_at or received_at,
        content_hash=content_hash,
        fhir_version=message.fhir_version,
        bundle_type=message.bundle_type,
        medications_known=message.medication_list.known,
        medications_unknown_reason=message.medication_list.reason,
        warnings=[asdict(w) for w in message.warnings],
        raw=raw,
    )
    session.add(row)
    session.flush()
    common = {"message_id": row.id, "patient_id": patient.id, "feed": feed}
    if message.medications:
        session.execute(
            insert(MedicationRow),
            [common | _medication_values(e, i) for i, e in enumerate(message.medications)],
        )
    if message.allergies:
        session.execute(
            insert(AllergyRow),
            [common | _allergy_values(a, i) for i, a in enumerate(message.allergies)],
        )
    return row


def current_message(session: Session, patient_id: int, feed: str) -> FeedMessageRow | None:
    """A feed's current view of a patient: its newest message by the sender's time, then arrival."""
    return session.scalars(
        select(FeedMessageRow)
        .where(FeedMessageRow.patient_id == patient_id, FeedMessageRow.feed == feed)
        .order_by(desc(FeedMessageRow.asserted_at), desc(FeedMessageRow.received_at), desc(FeedMessageRow.id))
        .limit(1)
    ).first()


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


def count_rows(session: Session) -> dict[str, int]:
    """How many rows each table holds."""
    return {
        row.__tablename__: session.scalar(select(func.count()).select_from(row)) or 0
        for row in (PatientRow, FeedMessageRow, MedicationRow, AllergyRow)
    }
