"""The feeds' current lists as the reconciliation reads them: two queries per patient, rows back as domain values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from medpass.db.tables import ALLERGIES, LAB_RESULTS, MEDICATIONS, MESSAGES
from medpass.domain.allergies import Allergy, FeedAllergy
from medpass.domain.feeds import Feed
from medpass.domain.lab_results import LabResult
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.medications import ChangeStatus, ChangeSummary, Dosage, ListKind, MedicationEntry, PrescriberOfRecord
from medpass.domain.medicines import Coding, Medicine


def _utc(at: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands back naive values)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


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
            day_of_week=tuple(d.get("day_of_week") or ()),
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


def latest_message_id(session: Session, patient_id: int) -> int:
    """The newest stored message id for a patient (0 when none): a snapshot that paging can hold still."""
    found = session.execute(select(func.max(MESSAGES.c.id)).where(MESSAGES.c.patient_id == patient_id)).scalar()
    return int(found or 0)


def feed_lists(session: Session, patient_id: int, up_to_message: int | None = None) -> list[FeedList]:
    """Every feed's current view of a patient as FeedLists, in two queries (run on every ingest).

    With `up_to_message`, the view as it was when that message was the newest: later messages are ignored.
    """
    messages = MESSAGES.c
    newest: dict[str, Any] = {}
    query = (
        select(messages.id, messages.feed, messages.asserted_at, messages.received_at, messages.medications_known, messages.bundle_type)
        .where(messages.patient_id == patient_id)
        .order_by(desc(messages.asserted_at), desc(messages.received_at), desc(messages.id))
    )
    if up_to_message is not None:
        query = query.where(messages.id <= up_to_message)
    rows = session.execute(query)
    for row in rows:
        newest.setdefault(row.feed, row)
    statements: dict[int, list[Any]] = {row.id: [] for row in newest.values()}
    if statements:
        medication_rows = session.execute(
            select(MEDICATIONS).where(MEDICATIONS.c.message_id.in_(list(statements))).order_by(MEDICATIONS.c.position)
        )
        for medication in medication_rows:
            statements[medication.message_id].append(medication)
    found = []
    for feed in Feed:
        message = newest.get(feed.value)
        if message is None:
            continue
        asserted, stored = _utc(message.asserted_at), _utc(message.received_at)
        found.append(FeedList(
            feed=feed,
            message_time=asserted,
            known=bool(message.medications_known),
            statements=tuple(FeedStatement(f"MedicationStatement/{m.id}", feed, _entry_of(m), asserted, stored)
                             for m in statements[message.id]),
            is_discharge=feed is Feed.ACUTE and message.bundle_type == "document",
        ))
    return found


def test_results(session: Session, patient_id: int) -> tuple[LabResult, ...]:
    """Every test result any feed has sent about a patient (a level stays the last known until a newer one)."""
    rows = session.execute(select(LAB_RESULTS.c.kind, LAB_RESULTS.c.taken_on, LAB_RESULTS.c.value, LAB_RESULTS.c.unit)
                           .where(LAB_RESULTS.c.patient_id == patient_id).order_by(LAB_RESULTS.c.taken_on))
    return tuple(LabResult(r.kind, r.taken_on, Decimal(r.value) if r.value is not None else None, r.unit) for r in rows)


def statement_by_id(session: Session, statement_id: int) -> tuple[int, FeedStatement] | None:
    """One stored feed statement by its id, with its patient: feed statements never change once stored."""
    row = session.execute(
        select(MEDICATIONS, MESSAGES.c.asserted_at, MESSAGES.c.received_at)
        .join(MESSAGES, MESSAGES.c.id == MEDICATIONS.c.message_id)
        .where(MEDICATIONS.c.id == statement_id)
    ).first()
    if row is None:
        return None
    return row.patient_id, FeedStatement(f"MedicationStatement/{row.id}", Feed(row.feed), _entry_of(row), _utc(row.asserted_at),
                                         _utc(row.received_at))


def _allergy_of(row: Any) -> Allergy:
    """A stored allergy back as the domain's Allergy."""
    return Allergy(
        source_id=row.source_id, substance=Medicine(codings=tuple(Coding(**c) for c in row.codings), text=row.substance_name),
        clinical_status=row.clinical_status, verification_status=row.verification_status, criticality=row.criticality,
        categories=tuple(row.categories), reactions=tuple(row.reactions), recorded_date=row.recorded_date, note=row.note,
    )


def current_allergies(session: Session, patient_id: int) -> list[FeedAllergy]:
    """Every allergy in each feed's current message about a patient (the newest by the sender's time)."""
    newest: dict[str, int] = {}
    rows = session.execute(select(MESSAGES.c.id, MESSAGES.c.feed).where(MESSAGES.c.patient_id == patient_id)
                           .order_by(desc(MESSAGES.c.asserted_at), desc(MESSAGES.c.received_at), desc(MESSAGES.c.id)))
    for row in rows:
        newest.setdefault(row.feed, row.id)
    if not newest:
        return []
    found = session.execute(select(ALLERGIES, MESSAGES.c.received_at).join(MESSAGES, MESSAGES.c.id == ALLERGIES.c.message_id)
                            .where(ALLERGIES.c.message_id.in_(list(newest.values()))).order_by(ALLERGIES.c.id))
    return [FeedAllergy(f"AllergyIntolerance/{r.id}", Feed(r.feed), _allergy_of(r), _utc(r.received_at)) for r in found]


def allergy_by_id(session: Session, allergy_id: int) -> tuple[int, FeedAllergy] | None:
    """One stored allergy by its id, with its patient."""
    row = session.execute(select(ALLERGIES, MESSAGES.c.received_at).join(MESSAGES, MESSAGES.c.id == ALLERGIES.c.message_id)
                          .where(ALLERGIES.c.id == allergy_id)).first()
    if row is None:
        return None
    return row.patient_id, FeedAllergy(f"AllergyIntolerance/{row.id}", Feed(row.feed), _allergy_of(row), _utc(row.received_at))
