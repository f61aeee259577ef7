"""The scheduler process (`flask --app medpass scheduler`): APScheduler, never inside web workers.

Its jobs only call services; the database is the source of truth, so a restart loses nothing (missed runs
coalesce into one) and several scheduler processes sharing one PostgreSQL never push the same notification
twice at once (the pusher claims rows with FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.blocking import BlockingScheduler

from medpass.config import Config
from medpass.push.rest_hook import send
from medpass.services.reminders import PlanningReport, plan_reminders
from medpass.services.sms import DispatchReport, dispatch, recover_stale
from medpass.services.subscriptions import DeliveryReport, deliver_due
from medpass.sms.gateway import SmsGateway, gateway_from

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def push_notifications(sessions: sessionmaker[Session], config: Config) -> DeliveryReport:
    """One pass of the rest-hook pusher (what the scheduler runs every MEDPASS_PUSH_INTERVAL_SECONDS)."""
    with sessions() as session:
        report = deliver_due(session, datetime.now(UTC), lambda push: send(push, config.push_timeout_seconds))
    if report.delivered or report.failed:
        log.info("notifications: %d delivered, %d failed (retried later)", report.delivered, report.failed)
    return report


def dispatch_sms(sessions: sessionmaker[Session], config: Config, gateway: SmsGateway) -> DispatchReport:
    """One SMS dispatch pass (what the scheduler runs every MEDPASS_SMS_DISPATCH_SECONDS), after recovering stale claims."""
    with sessions() as session:
        recover_stale(session, datetime.now(UTC))
        report = dispatch(session, gateway, datetime.now(UTC), worker=f"scheduler:{os.getpid()}")
    if report != DispatchReport():
        log.info("sms: %s", report)
    return report


def plan_sms_reminders(sessions: sessionmaker[Session], config: Config) -> PlanningReport:
    """Queue the next day's dose reminders (every 15 minutes; idempotent, so overlapping windows add nothing)."""
    with sessions() as session:
        return plan_reminders(session, datetime.now(UTC), rule=config.missed_doses, network=config.care_network,
                              settings=config.reconciliation)


def build_scheduler(wiring: dict[str, Any]) -> BlockingScheduler:
    """The scheduler with medpass's jobs; each job coalesces missed runs and never overlaps itself."""
    config: Config = wiring["config"]
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
    scheduler.add_job(push_notifications, "interval", seconds=config.push_interval_seconds, id="push-notifications",
                      args=(wiring["sessions"], config), next_run_time=datetime.now(UTC))
    scheduler.add_job(plan_sms_reminders, "interval", minutes=15, id="sms-plan", args=(wiring["sessions"], config),
                      next_run_time=datetime.now(UTC))
    scheduler.add_job(dispatch_sms, "interval", seconds=config.sms_dispatch_seconds, id="sms-dispatch",
                      args=(wiring["sessions"], config, gateway_from(config)), next_run_time=datetime.now(UTC))
    return scheduler
