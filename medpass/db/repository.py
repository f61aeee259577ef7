"""Rows in, domain values out: every query and write medpass makes about patients and feed messages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, desc, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from medpass.db.rows import AllergyRow, FeedMessageRow, LabResultRow, MedicationRow, PatientRow
from medpass.domain.allergies import Allergy
from medpass.domain.feeds import Feed
from medpass.domain.lab_results import LabResult
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.medications import (
    ChangeStatus,
    ChangeSummary,
    Dosage,
    ListKind,
    MedicationEntry,
    PrescriberOfRecord,
)
from medpass.domain.medicines import Coding, Medicine
from medpass.domain.messages import FeedMessage
from medpass.domain.patients import Demographics

#: Core tables for the write path of ingest: statements on them skip the ORM's per-statement bookkeeping,
#: which costs more than the database round trip (docs/PERFORMANCE.md).
_PATIENTS: Table = PatientRow.__table__  # type: ignore[assignment]
_MESSAGES: Table = FeedMessageRow.__table__  # type: ignore[assignment]
_MEDICATIONS: Table = MedicationRow.__table__  # type: ignore[assignment]
_ALLERGIES: Table = AllergyRow.__table__  # type: ignore[assignment]
_TESTS: Table = LabResultRow.__table__  # type: ignore[assignment]


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
    }


def find_patient(session: Session, nhs_number: str) -> PatientRow | None:
    """The patient with this NHS number, if medpass has heard of them."""
    return session.scalars(select(PatientRow).where(PatientRow.nhs_number == nhs_number)).one_or_none()


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
    patients, messages = _PATIENTS.c, _MESSAGES.c
    found = session.execute(
        select(patients.id, messages.id)
        .select_from(_PATIENTS)
        .outerjoin(
            _MESSAGES,
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
            insert_for(_PATIENTS)
            .values(nhs_number=demographics.nhs_number, created_at=now, **values)
            .on_conflict_do_nothing(index_elements=["nhs_number"])
            .returning(_PATIENTS.c.id)
        ).scalar_one_or_none()
        if created is not None:
            return int(created)
        patient_id = session.execute(select(_PATIENTS.c.id).where(_PATIENTS.c.nhs_number == demographics.nhs_number)).scalar_one()
    session.execute(
        update(_PATIENTS).where(_PATIENTS.c.id == patient_id, _PATIENTS.c.demographics_as_of <= as_of).values(**values)
    )
    return patient_id


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
        medications_unknown_reason=message.medication_list.reason,
        warnings=[asdict(w) for w in message.warnings],
        raw=raw,
    )
    message_id = session.execute(insert(_MESSAGES).values(**values).returning(_MESSAGES.c.id)).scalar_one()
    common = {"message_id": message_id, "patient_id": patient_id, "feed": feed}
    if message.medications:
        session.execute(
            insert(_MEDICATIONS),
            [common | _medication_values(e, i) for i, e in enumerate(message.medications)],
        )
    if message.tests:
        session.execute(
            insert(_TESTS),
            [common | {"kind": t.kind, "taken_on": t.taken_on, "value": None if t.value is None else str(t.value), "unit": t.unit}
             for t in message.tests],
        )
    if message.allergies:
        session.execute(
            insert(_ALLERGIES),
            [common | _allergy_values(a, i) for i, a in enumerate(message.allergies)],
        )
    return int(message_id)


def _entry_of(row: Any) -> MedicationEntry:
    """A stored medicine back as the domain's MedicationEntry."""
    def decimal(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    dosages = tuple(
        Dosage(
            text=d.get("text"),
            patient_instruction=d.get("patient_instruction"),
            frequency=d.get("frequency"),
            period=decimal(d.get("period")),
            period_unit=d.get("period_unit"),
            when=tuple(d.get("when") or ()),
            time_of_day=tuple(d.get("time_of_day") or ()),
            route=Coding(**d["route"]) if d.get("route") else None,
            dose_value=decimal(d.get("dose_value")),
            dose_unit=d.get("dose_unit"),
            as_needed=bool(d.get("as_needed")),
        )
        for d in row.dosages
    )
    change = (
        ChangeSummary(ChangeStatus(row.change_status), row.change_reason, row.change_date, row.change_details)
        if row.change_status
        else None
    )
    return MedicationEntry(
        source_type=row.source_type,
        source_id=row.source_id,
        status=row.status,
        source_status=row.source_status,
        medicine=Medicine(codings=tuple(Coding(**c) for c in row.codings), text=row.medicine_text, form=row.form),
        dosages=dosages,
        status_reason=row.status_reason,
        status_changed=row.status_changed,
        effective_start=row.effective_start,
        effective_end=row.effective_end,
        date_asserted=row.date_asserted,
        prescriber=PrescriberOfRecord(row.prescriber) if row.prescriber else None,
        prescriber_detail=row.prescriber_detail,
        change=change,
        last_issue_date=row.last_issue_date,
        last_dose_date=row.last_dose_date,
        plan_id=row.plan_id,
        prior_plan_id=row.prior_plan_id,
        list_kind=ListKind(row.list_kind) if row.list_kind else None,
        category=row.category,
        notes=tuple(row.notes),
        indication=row.indication,
    )


def feed_lists(session: Session, patient_id: int) -> list[FeedList]:
    """Every feed's current view of a patient as FeedLists, in two queries (run on every ingest)."""
    messages = _MESSAGES.c
    newest: dict[str, Any] = {}
    rows = session.execute(
        select(messages.id, messages.feed, messages.asserted_at, messages.medications_known, messages.bundle_type)
        .where(messages.patient_id == patient_id)
        .order_by(desc(messages.asserted_at), desc(messages.received_at), desc(messages.id))
    )
    for row in rows:
        newest.setdefault(row.feed, row)
    statements: dict[int, list[Any]] = {row.id: [] for row in newest.values()}
    if statements:
        medication_rows = session.execute(
            select(_MEDICATIONS).where(_MEDICATIONS.c.message_id.in_(list(statements))).order_by(_MEDICATIONS.c.position)
        )
        for medication in medication_rows:
            statements[medication.message_id].append(medication)
    found = []
    for feed in Feed:
        message = newest.get(feed.value)
        if message is None:
            continue
        asserted = message.asserted_at if message.asserted_at.tzinfo else message.asserted_at.replace(tzinfo=UTC)
        found.append(FeedList(
            feed=feed,
            message_time=asserted,
            known=bool(message.medications_known),
            statements=tuple(FeedStatement(f"MedicationStatement/{m.id}", feed, _entry_of(m), asserted) for m in statements[message.id]),
            is_discharge=feed is Feed.ACUTE and message.bundle_type == "document",
        ))
    return found


def current_message(session: Session, patient_id: int, feed: str) -> FeedMessageRow | None:
    """A feed's current view of a patient: its newest message by the sender's time, then arrival."""
    return session.scalars(
        select(FeedMessageRow)
        .where(FeedMessageRow.patient_id == patient_id, FeedMessageRow.feed == feed)
        .order_by(desc(FeedMessageRow.asserted_at), desc(FeedMessageRow.received_at), desc(FeedMessageRow.id))
        .limit(1)
    ).first()


def test_results(session: Session, patient_id: int) -> tuple[LabResult, ...]:
    """Every test result any feed has sent about a patient (a level stays the last known until a newer one)."""
    rows = session.execute(select(_TESTS.c.kind, _TESTS.c.taken_on, _TESTS.c.value, _TESTS.c.unit)
                           .where(_TESTS.c.patient_id == patient_id).order_by(_TESTS.c.taken_on))
    return tuple(LabResult(r.kind, r.taken_on, Decimal(r.value) if r.value is not None else None, r.unit) for r in rows)


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


def count_rows(session: Session) -> dict[str, int]:
    """How many rows each table holds."""
    return {
        row.__tablename__: session.scalar(select(func.count()).select_from(row)) or 0
        for row in (PatientRow, FeedMessageRow, MedicationRow, AllergyRow)
    }
