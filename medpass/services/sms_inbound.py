"""What comes back from Twilio: patients' replies and delivery status callbacks, each stored once.

STOP (and every Twilio opt-out keyword) opts the patient out and cancels what is queued; START/YES opts back
in; HELP is answered with who to contact; TAKEN/SKIP record adherence against the newest dose reminder sent
to that number in the last 12 hours; anything else is kept as the patient's own words for a clinician.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medpass.db.rows import PatientRow, SmsContactRow, SmsInboundRow, SmsOutboxRow, SmsStatusRow
from medpass.domain.contacts import ConsentChange
from medpass.domain.sms_replies import ReplyKind, classify_reply
from medpass.domain.sms_templates import HELP_TEXT, MessageKind
from medpass.domain.tasks import CareNetwork, MissedDoseRule
from medpass.services.adherence import ANSWER_WINDOW, check_missed_doses
from medpass.services.sms import enqueue, record_consent
from medpass.services.storage import storage_errors

#: Delivery statuses in the order they happen: a late callback never moves a message back.
_STATUS_ORDER = {"queued": 0, "sending": 1, "sent": 2, "undelivered": 3, "failed": 3, "delivered": 4}


def receive_reply(session: Session, *, message_sid: str, from_number: str, body: str, now: datetime,
                  rule: MissedDoseRule, network: CareNetwork) -> ReplyKind:
    """Store and act on one reply, once per MessageSid (a repeated webhook changes nothing)."""
    kind = classify_reply(body)
    with storage_errors(session):
        if session.scalars(select(SmsInboundRow.id).where(SmsInboundRow.message_sid == message_sid)).first() is not None:
            return kind
        contact = session.scalars(select(SmsContactRow).where(SmsContactRow.phone == from_number)).first()
        patient_id = contact.patient_id if contact else None
        answers = None
        if patient_id is not None and kind in (ReplyKind.TAKEN, ReplyKind.SKIPPED):
            answers = session.scalars(
                select(SmsOutboxRow.id).where(SmsOutboxRow.patient_id == patient_id, SmsOutboxRow.kind == "dose-reminder",
                                              SmsOutboxRow.sent_at.is_not(None), SmsOutboxRow.sent_at >= now - ANSWER_WINDOW)
                .order_by(desc(SmsOutboxRow.sent_at))).first()
        session.add(SmsInboundRow(message_sid=message_sid, patient_id=patient_id, from_number=from_number, body=body, kind=kind.value,
                                  answers_outbox_id=answers, received_at=now))
        try:
            session.commit()
        except IntegrityError:  # the same webhook delivered twice at once: the other copy is the one kept
            session.rollback()
            return kind
        if patient_id is not None:
            _act(session, patient_id, kind, message_sid, now)
            if kind is ReplyKind.SKIPPED:
                check_missed_doses(session, patient_id, now, rule, network)
    return kind


def _act(session: Session, patient_id: int, kind: ReplyKind, message_sid: str, now: datetime) -> None:
    """Opt out, opt in, or answer HELP."""
    nhs_number = session.get_one(PatientRow, patient_id).nhs_number
    if kind in (ReplyKind.OPT_OUT, ReplyKind.OPT_IN):
        change = ConsentChange.OPTED_OUT if kind is ReplyKind.OPT_OUT else ConsentChange.OPTED_IN
        record_consent(session, nhs_number, change=change, phone=None, recorded_by="the patient, by SMS reply",
                       how=f"replied {'STOP' if kind is ReplyKind.OPT_OUT else 'START'} (message {message_sid})", now=now)
    elif kind is ReplyKind.HELP:
        enqueue(session, patient_id, key=f"help:{message_sid}", kind=MessageKind.HELP_REPLY.value, body=HELP_TEXT, due_at=now,
                valid_for=timedelta(hours=1), now=now)


def receive_status(session: Session, *, message_sid: str, status: str, error_code: str | None, now: datetime) -> bool:
    """Record a status callback once per (SID, status); the outbox row moves forward only. True when it was new."""
    with storage_errors(session):
        session.add(SmsStatusRow(message_sid=message_sid, status=status, error_code=error_code, received_at=now))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return False
        row = session.scalars(select(SmsOutboxRow).where(SmsOutboxRow.message_sid == message_sid)).first()
        if row is not None and _STATUS_ORDER.get(status, -1) > _STATUS_ORDER.get(row.status, -1):
            row.status = status
            if error_code:
                row.last_error = f"Twilio reported {status} (error {error_code})"
        session.commit()
        return True
