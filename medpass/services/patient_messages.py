"""Messages to the patient that follow from a feed message: their medicines changed, or a blood test is due.

Written to the outbox in the same transaction as the message that caused them, due now or, at night, at 08:00
(reminder_times.next_daytime), only for a patient with a
mobile number and consent now (consent is checked again when it is sent). One per feed message (changes)
and one per monitoring finding per day (blood tests), whatever happens to be re-ingested.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import DetectedIssueRow, PatientRow, SmsContactRow, SmsOutboxRow
from medpass.domain.changes import MedicationChange
from medpass.domain.contacts import may_text
from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.reminder_times import next_daytime
from medpass.domain.sms_templates import MessageKind, blood_test_due, medicines_changed
from medpass.services.passport_links import new_link
from medpass.services.sms import consent_events, outbox_row

#: A change message that could not go out within a day is no longer news.
CHANGE_VALID_FOR = timedelta(hours=24)


def _queue(session: Session, patient_id: int, key: str, kind: MessageKind, body: str, now: datetime, valid_for: timedelta) -> bool:
    """Add to the outbox in the caller's transaction, once per key, due now or at the next daytime hour."""
    if session.scalars(select(SmsOutboxRow.id).where(SmsOutboxRow.idempotency_key == key)).first() is not None:
        return False
    session.add(outbox_row(patient_id, key=key, kind=kind.value, body=body, due_at=next_daytime(now), valid_for=valid_for, now=now))
    return True


def tell_patient(session: Session, patient: PatientRow, message_id: int, changes: list[MedicationChange],
                 opened: list[DetectedIssueRow], now: datetime, public_base_url: str | None) -> int:
    """Queue the patient's messages about one accepted feed message; how many were queued (the caller commits)."""
    contact = session.scalars(select(SmsContactRow).where(SmsContactRow.patient_id == patient.id)).first()
    if contact is None or contact.number_problem or not may_text(consent_events(session, patient.id)):
        return 0
    queued = 0
    key = f"changed:{message_id}"
    if changes and session.scalars(select(SmsOutboxRow.id).where(SmsOutboxRow.idempotency_key == key)).first() is None:
        names = tuple(dict.fromkeys(c.medicine for c in changes))
        link = f"{public_base_url.rstrip('/')}/passport/{new_link(session, patient.id, now)}" if public_base_url else None
        body = medicines_changed(names, contact.show_medicine_names, link)
        queued += _queue(session, patient.id, key, MessageKind.MEDICINES_CHANGED, body, now, CHANGE_VALID_FOR)
    for issue in opened:
        if issue.code == DiscrepancyCode.MONITORING_DUE.value:
            body = blood_test_due(f"{issue.medicine} level", contact.show_medicine_names)
            queued += _queue(session, patient.id, f"blood-test:{issue.resource_id}:{now.date().isoformat()}", MessageKind.BLOOD_TEST_DUE,
                             body, now, timedelta(days=3))
    return queued
