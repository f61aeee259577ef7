"""Patients' SMS: contact and consent, the outbox every message is written to first, and the dispatcher.

Nothing is sent without consent or after an opt-out: consent is checked when a message is claimed for
sending, not only when it was planned. A message is created once (its idempotency key), claimed atomically
(PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one UPDATE ... RETURNING in a transaction that began IMMEDIATE),
sent outside any transaction, and its outcome recorded. A message whose send may have reached Twilio without
an answer is marked `unknown`, never sent again blindly; a message left `sending` by a crashed dispatcher is
marked `unknown` too (`recover_stale`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import PatientRow, SmsConsentRow, SmsContactRow, SmsOutboxRow
from medpass.domain.contacts import ConsentChange, ConsentEvent, may_text, normalise_mobile
from medpass.domain.errors import NotFound
from medpass.domain.nhs_number import normalise_nhs_number
from medpass.domain.sms_delivery import Outcome, after_failure, still_worth_sending
from medpass.domain.sms_templates import TEST_TEXT, MessageKind
from medpass.domain.sms_text import check_length
from medpass.services.storage import storage_errors
from medpass.sms.gateway import GatewayError, SmsGateway

#: How long a claim may stay `sending` before the dispatcher that made it is presumed dead.
SENDING_LEASE = timedelta(minutes=10)


def find_patient(session: Session, nhs_number: str) -> PatientRow:
    """The patient with this NHS number, or NotFound."""
    found = repository.find_patient(session, normalise_nhs_number(nhs_number))
    if found is None:
        raise NotFound(f"no patient with NHS number {nhs_number}")
    return found


def consent_events(session: Session, patient_id: int) -> list[ConsentEvent]:
    """A patient's consent history, oldest first."""
    rows = session.scalars(select(SmsConsentRow).where(SmsConsentRow.patient_id == patient_id).order_by(SmsConsentRow.at, SmsConsentRow.id))
    return [ConsentEvent(ConsentChange(r.change), r.at, r.recorded_by, r.how) for r in rows]


def record_consent(session: Session, nhs_number: str, *, change: ConsentChange, phone: str | None, recorded_by: str, how: str,
                   now: datetime, show_medicine_names: bool | None = None) -> SmsContactRow | None:
    """Record an opt-in (with the mobile number) or an opt-out; an opt-out keeps the number but stops everything."""
    with storage_errors(session):
        patient = find_patient(session, nhs_number)
        contact = session.scalars(select(SmsContactRow).where(SmsContactRow.patient_id == patient.id)).first()
        if phone is not None:
            number = normalise_mobile(phone)
            if contact is None:
                contact = SmsContactRow(patient_id=patient.id, phone=number, show_medicine_names=bool(show_medicine_names), updated_at=now)
                session.add(contact)
            contact.phone, contact.number_problem, contact.updated_at = number, None, now
        if contact is not None and show_medicine_names is not None:
            contact.show_medicine_names = show_medicine_names
        if change is ConsentChange.OPTED_IN and contact is None:
            raise NotFound(f"no mobile number for NHS number {nhs_number}: give one with the opt-in")
        session.add(SmsConsentRow(patient_id=patient.id, change=change.value, at=now, recorded_by=recorded_by, how=how))
        if change is ConsentChange.OPTED_OUT:
            session.execute(update(SmsOutboxRow).where(SmsOutboxRow.patient_id == patient.id, SmsOutboxRow.status == "queued")
                            .values(status="cancelled", last_error="the patient opted out"))
        session.commit()
        return contact


def outbox_row(patient_id: int, *, key: str, kind: str, body: str, due_at: datetime, valid_for: timedelta | None,
               now: datetime) -> SmsOutboxRow:
    """A new queued message, its text checked (length, segments); the caller adds it once per key and commits."""
    length = check_length(body)
    return SmsOutboxRow(patient_id=patient_id, idempotency_key=key, kind=kind, body=body, segments=length.segments, due_at=due_at,
                        valid_until=due_at + valid_for if valid_for else None, status="queued", attempts=0, next_attempt_at=due_at,
                        created_at=now)


def enqueue(session: Session, patient_id: int, *, key: str, kind: str, body: str, due_at: datetime, valid_for: timedelta | None,
            now: datetime) -> tuple[int, bool]:
    """Write one message to the outbox once: (its id, whether this call created it). The text is checked first."""
    row = outbox_row(patient_id, key=key, kind=kind, body=body, due_at=due_at, valid_for=valid_for, now=now)
    with storage_errors(session):
        existing = session.scalars(select(SmsOutboxRow.id).where(SmsOutboxRow.idempotency_key == key)).first()
        if existing is not None:
            return existing, False
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # planned at the same moment by another process: theirs stands
            session.rollback()
            found = session.scalars(select(SmsOutboxRow.id).where(SmsOutboxRow.idempotency_key == key)).one()
            return found, False
        return row.id, True


def queue_test_message(session: Session, nhs_number: str, now: datetime) -> tuple[int, bool]:
    """`sms-test`: one message to the patient now (it still needs their consent when it is sent)."""
    patient = find_patient(session, nhs_number)
    return enqueue(session, patient.id, key=f"test:{patient.id}:{now.isoformat()}", kind=MessageKind.TEST.value, body=TEST_TEXT, due_at=now,
                   valid_for=timedelta(hours=1), now=now)


@dataclass(frozen=True)
class DispatchReport:
    """One dispatcher pass."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    cancelled: int = 0
    unknown: int = 0


def _claim(session: Session, now: datetime, worker: str, limit: int) -> list[int]:
    """Take due queued messages for this dispatcher in one statement (never the same row as another dispatcher)."""
    due = (select(SmsOutboxRow.id).where(SmsOutboxRow.status == "queued", SmsOutboxRow.next_attempt_at <= now)
           .order_by(SmsOutboxRow.next_attempt_at, SmsOutboxRow.id).limit(limit).with_for_update(skip_locked=True))
    claimed = session.execute(update(SmsOutboxRow).where(SmsOutboxRow.id.in_(due.scalar_subquery()), SmsOutboxRow.status == "queued")
                              .values(status="sending", claimed_at=now, claimed_by=worker).returning(SmsOutboxRow.id))
    ids = sorted(claimed.scalars())
    session.commit()
    return ids


def recover_stale(session: Session, now: datetime) -> int:
    """Messages left `sending` by a dispatcher that died: Twilio may have them, so they become `unknown`, never resent."""
    with storage_errors(session):
        stale = (SmsOutboxRow.status == "sending", SmsOutboxRow.claimed_at < now - SENDING_LEASE)
        changed = session.execute(update(SmsOutboxRow).where(*stale)
                                  .values(status="unknown", last_error="the dispatcher stopped while sending: check before resending"))
        session.commit()
        return int(getattr(changed, "rowcount", 0) or 0)


def dispatch(session: Session, gateway: SmsGateway, now: datetime, *, worker: str = "dispatcher", limit: int = 100) -> DispatchReport:
    """One pass: claim the due messages, check consent (once per patient) and validity, send each, record what happened.

    Each send's outcome is committed as soon as it is known; no transaction is open while Twilio answers. A
    claimed message is `sending` from the claim's commit on, so a crash mid-pass never leads to a second send.
    """
    counts = {"sent": 0, "retried": 0, "failed": 0, "dropped": 0, "cancelled": 0, "unknown": 0}
    with storage_errors(session):
        ids = _claim(session, now, worker, limit)
        claimed = select(SmsOutboxRow).where(SmsOutboxRow.id.in_(ids)).order_by(SmsOutboxRow.next_attempt_at, SmsOutboxRow.id)
        rows = list(session.scalars(claimed))
        patients = {row.patient_id for row in rows}
        contacts = {c.patient_id: c for c in session.scalars(select(SmsContactRow).where(SmsContactRow.patient_id.in_(patients)))}
        textable = {p for p in patients if p in contacts and not contacts[p].number_problem and may_text(consent_events(session, p))}
        to_send = []
        for row in rows:
            if row.patient_id not in textable:
                row.status, row.last_error = "cancelled", "no consent to SMS, or no usable number, when it was due"
                counts["cancelled"] += 1
            elif row.valid_until is not None and not still_worth_sending(row.due_at, row.valid_until - row.due_at, now):
                row.status, row.last_error = "dropped", "could not go out within its validity window: not sent late"
                counts["dropped"] += 1
            else:
                to_send.append(row)
        session.commit()
        for row in to_send:
            contact = contacts[row.patient_id]
            row.to_number, row.attempts = contact.phone, row.attempts + 1
            _send(session, gateway, row, contact, now, counts)
            session.commit()
    return DispatchReport(**counts)


def _send(session: Session, gateway: SmsGateway, row: SmsOutboxRow, contact: SmsContactRow, now: datetime, counts: dict[str, int]) -> None:
    """Send one claimed message and record the outcome (the caller commits)."""
    try:
        sid = gateway.send(contact.phone, row.body, f"outbox-{row.id}")
    except GatewayError as exc:
        decision = after_failure(exc.code, exc.http_status, row.attempts, now)
        row.last_error = f"{exc}: {decision.reason}"
        if decision.outcome is Outcome.RETRY and decision.retry_at is not None:
            row.status, row.next_attempt_at = "queued", decision.retry_at
            counts["retried"] += 1
        elif decision.outcome is Outcome.UNKNOWN:
            row.status = "unknown"
            counts["unknown"] += 1
        else:
            row.status = "failed"
            counts["failed"] += 1
            if decision.outcome is Outcome.OPTED_OUT:
                session.add(SmsConsentRow(patient_id=row.patient_id, change=ConsentChange.OPTED_OUT.value, at=now, recorded_by="Twilio",
                                          how="Twilio error 21610: the number has opted out"))
            elif decision.outcome is Outcome.BAD_NUMBER:
                contact.number_problem = decision.reason
        return
    row.status, row.message_sid, row.sent_at, row.last_error = "sent", sid, now, None
    counts["sent"] += 1
