"""Missed doses from the patient's own replies: repeated SKIPs or unanswered reminders raise a Task for the care team.

A dose reminder counts as missed when the patient answered SKIP, or gave no TAKEN/SKIP answer within the
answer window. When `MissedDoseRule.threshold` are missed in `days` days, the GP practice and the trust get a
Task (once per patient per window), with the count and no medicine names.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db import tasks
from medpass.db.rows import PatientRow, SmsInboundRow, SmsOutboxRow, TaskRow
from medpass.domain.feeds import Feed
from medpass.domain.sms_templates import MessageKind
from medpass.domain.tasks import CareNetwork, MissedDoseRule, TaskKind, TaskStatus

#: How long a patient has to answer a reminder before it counts as missed.
ANSWER_WINDOW = timedelta(hours=12)


def missed_doses(session: Session, patient_id: int, now: datetime, days: int) -> int:
    """Dose reminders sent in the last `days` days that were answered SKIP, or not answered in time."""
    since = now - timedelta(days=days)
    sent = list(session.scalars(select(SmsOutboxRow).where(SmsOutboxRow.patient_id == patient_id,
                                                           SmsOutboxRow.kind == MessageKind.DOSE_REMINDER.value,
                                                           SmsOutboxRow.sent_at.is_not(None), SmsOutboxRow.sent_at >= since)))
    answers = {row.answers_outbox_id: row.kind for row in session.scalars(
        select(SmsInboundRow).where(SmsInboundRow.answers_outbox_id.in_([r.id for r in sent])))}
    return sum(1 for r in sent if answers.get(r.id) == "skipped"
               or (r.id not in answers and r.sent_at is not None and r.sent_at < now - ANSWER_WINDOW))


def check_missed_doses(session: Session, patient_id: int, now: datetime, rule: MissedDoseRule, network: CareNetwork) -> int:
    """Raise the missed-dose Tasks when the rule is met and none was raised in the window; how many were made."""
    missed = missed_doses(session, patient_id, now, rule.days)
    if missed < rule.threshold:
        return 0
    recent = session.scalars(select(TaskRow.id).where(TaskRow.patient_id == patient_id, TaskRow.kind == TaskKind.MISSED_DOSES.value,
                                                      TaskRow.authored_on >= now - timedelta(days=rule.days))).first()
    if recent is not None:
        return 0
    patient = session.get_one(PatientRow, patient_id)
    made = 0
    for partner in network.partners(patient.gp_practice_ods, patient.gp_practice_name):
        if partner.feed is Feed.ACUTE:
            continue  # the hospital is not the team that follows a patient's doses at home
        description = (f"The patient has missed {missed} doses in the last {rule.days} days: they replied SKIP to their "
                       "medicine reminders, or did not answer. Please contact them.")
        row = TaskRow(patient_id=patient_id, message_id=None, requester_feed="sms", requester_ods=None, owner_feed=partner.feed.value,
                      owner_ods=partner.ods_code, owner_name=partner.name, kind=TaskKind.MISSED_DOSES.value,
                      change_key=f"missed-doses:{now.date().isoformat()}", focus=f"Patient/{patient_id}", medicine="",
                      description=description, priority="routine", status=TaskStatus.REQUESTED.value, authored_on=now,
                      due_at=network.windows.due(now, urgent=False), last_modified=now, modified_by="medpass", version=1)
        made += tasks.add_task(session, row, now)
    session.commit()
    return made
