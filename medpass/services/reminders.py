"""Dose reminders: a plan per medicine of the reconciled list, turned into outbox messages a day ahead.

Planning runs often (the scheduler) and is idempotent: each reminder's key is its plan, local date and local
time, so it is created once. A plan stops, and its queued reminders are cancelled, when the reconciled list
no longer has the medicine as being taken (stopped, held, or gone). While a feed's current message says the
patient is an inpatient (an inpatient Encounter in progress), reminders pause: none is planned and queued
ones are cancelled; they resume once a newer message says otherwise (a discharge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import SmsContactRow, SmsOutboxRow, SmsReminderPlanRow
from medpass.domain.contacts import may_text
from medpass.domain.dosing import daily_times
from medpass.domain.errors import InvalidRequest
from medpass.domain.reconciled_list import ReconciledLine
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.reminder_times import default_times, part_of_day, reminders_between
from medpass.domain.sms_templates import MessageKind, dose_reminder
from medpass.domain.tasks import CareNetwork, MissedDoseRule
from medpass.services.adherence import check_missed_doses
from medpass.services.sms import consent_events, find_patient, outbox_row
from medpass.services.statement_reads import reconciled_for
from medpass.services.storage import storage_errors

PAUSED = "paused:"
#: A dose reminder that cannot go out within an hour of its time is dropped, not sent late.
REMINDER_VALID_FOR = timedelta(hours=1)


def _line(lines: list[ReconciledLine], medicine: str) -> ReconciledLine | None:
    """The reconciled line named `medicine` (any case)."""
    return next((line for line in lines if line.name.casefold() == medicine.strip().casefold()), None)


def _parse_time(text: str) -> time:
    """'08:00' as a time, or InvalidRequest."""
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{text!r} is not a time of day such as 08:00") from None


def create_plan(session: Session, nhs_number: str, medicine: str, times: list[str], *, by: str, now: datetime,
                settings: ReconciliationSettings) -> SmsReminderPlanRow:
    """Remind the patient to take a medicine they are taking, at `times` (local) or the times its dosage suggests."""
    with storage_errors(session):
        patient = find_patient(session, nhs_number)
        line = _line(reconciled_for(session, patient.id, now, settings), medicine)
        if line is None or not line.agreement.remind_to_take or line.agreed is None:
            raise InvalidRequest(f"{medicine!r} is not a medicine the reconciled list has {patient.nhs_number} taking")
        chosen = tuple(sorted({_parse_time(t) for t in times}))
        if not chosen:
            dosages = line.agreed.statement.entry.dosages
            when = tuple(code for d in dosages for code in d.when)
            per_day = daily_times(dosages)
            chosen = default_times(when, int(per_day) if per_day is not None and per_day == int(per_day) else None)
        if not chosen:
            raise InvalidRequest(f"the dosage of {line.name} gives no fixed times (as needed?): choose them with --time")
        plan = SmsReminderPlanRow(patient_id=patient.id, medicine=line.name, times=[t.strftime("%H:%M") for t in chosen], active=True,
                                  created_at=now, created_by=by)
        session.add(plan)
        session.commit()
        return plan


@dataclass(frozen=True)
class PlanningReport:
    """One planning pass."""

    queued: int
    stopped_plans: int


def plan_reminders(session: Session, now: datetime, horizon: timedelta = timedelta(hours=24), *,
                   rule: MissedDoseRule, network: CareNetwork,
                   settings: ReconciliationSettings) -> PlanningReport:
    """Queue every active plan's reminders due in [now, now + horizon); stop plans whose medicine was stopped.

    Reminders left unanswered count as missed: when the configured `rule` is met, the patient's GP practice and
    the configured trust (`network`) get a missed-dose Task.
    """
    queued = stopped = 0
    with storage_errors(session):
        active = select(SmsReminderPlanRow).where(SmsReminderPlanRow.active.is_(True)).order_by(SmsReminderPlanRow.id)
        plans = list(session.scalars(active))
        by_patient: dict[int, list[SmsReminderPlanRow]] = {}
        for plan in plans:
            by_patient.setdefault(plan.patient_id, []).append(plan)
        for patient_id, patient_plans in by_patient.items():
            if any(message.inpatient for message in repository.current_messages(session, patient_id)):
                session.execute(update(SmsOutboxRow).where(SmsOutboxRow.patient_id == patient_id, SmsOutboxRow.status == "queued",
                                                           SmsOutboxRow.kind == MessageKind.DOSE_REMINDER.value)
                                .values(status="cancelled", last_error=f"{PAUSED} the feeds say the patient is an inpatient"))
                session.commit()
                continue  # the ward gives their medicines; reminders resume when a feed says they have left
            lines = reconciled_for(session, patient_id, now, settings)
            contact = session.scalars(select(SmsContactRow).where(SmsContactRow.patient_id == patient_id)).first()
            consented = contact is not None and not contact.number_problem and may_text(consent_events(session, patient_id))
            for plan in patient_plans:
                line = _line(lines, plan.medicine)
                if line is None or not line.agreement.remind_to_take:
                    state = line.state.value if line else "no longer listed"
                    plan.active, plan.stopped_reason = False, f"{plan.medicine} is {state} on {now:%d %b %Y}"
                    session.execute(update(SmsOutboxRow).where(SmsOutboxRow.idempotency_key.like(f"dose:{plan.id}:%"),
                                                               SmsOutboxRow.status == "queued")
                                    .values(status="cancelled", last_error=plan.stopped_reason))
                    stopped += 1
                    continue
                if not consented or contact is None:
                    continue
                times = tuple(time.fromisoformat(t) for t in plan.times)
                for due in reminders_between(plan.id, times, now, now + horizon):
                    existing = session.scalars(select(SmsOutboxRow).where(SmsOutboxRow.idempotency_key == due.key)).first()
                    if existing is not None:
                        if existing.status == "cancelled" and (existing.last_error or "").startswith(PAUSED):  # back from hospital
                            existing.status, existing.last_error = "queued", None
                            queued += 1
                        continue
                    body = dose_reminder(part_of_day(due.local_time), (plan.medicine,), contact.show_medicine_names)
                    row = outbox_row(patient_id, key=due.key, kind=MessageKind.DOSE_REMINDER.value, body=body, due_at=due.due_at,
                                     valid_for=REMINDER_VALID_FOR, now=now)
                    try:
                        with session.begin_nested():  # another planner may have made it a moment ago: theirs stands
                            session.add(row)
                    except IntegrityError:
                        continue
                    queued += 1
            session.commit()
            check_missed_doses(session, patient_id, now, rule, network)  # reminders left unanswered count too
    return PlanningReport(queued, stopped)
