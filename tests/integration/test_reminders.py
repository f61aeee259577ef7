"""Dose reminders planned from the reconciled list: the dosage's times by default, the right local times across
both 2026 DST changes, once however often planning runs, and no more once the medicine is stopped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import SmsOutboxRow
from medpass.domain.contacts import ConsentChange
from medpass.domain.errors import InvalidRequest
from medpass.domain.tasks import DEMO_NETWORK, MissedDoseRule
from medpass.services.ingest import ingest_message
from medpass.services.reminders import create_plan, plan_reminders
from medpass.services.samples import load_samples
from medpass.services.sms import dispatch, record_consent
from medpass.sms.gateway import ConsoleGateway
from tests.conftest import NOW, RECONCILIATION, SAMPLES
from tests.messages import lithium_reduced

LITHIUM = "9999986986"


@pytest.fixture
def consented(session: Session) -> Session:
    """The demo data, and the lithium patient consented with a mobile number."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    record_consent(session, LITHIUM, change=ConsentChange.OPTED_IN, phone="07700 900123", recorded_by="Pharmacist A", how="in clinic",
                   now=NOW)
    return session


def reminders(session: Session) -> list[SmsOutboxRow]:
    """The dose reminders in the outbox, by due time."""
    session.rollback()
    return list(session.scalars(select(SmsOutboxRow).where(SmsOutboxRow.kind == "dose-reminder").order_by(SmsOutboxRow.due_at)))


def test_the_dosage_gives_the_default_time_and_the_autumn_change_keeps_it_local(consented: Session) -> None:
    plan = create_plan(consented, LITHIUM, "lithium carbonate", [], by="Pharmacist A", now=NOW, settings=RECONCILIATION)
    assert plan.times == ["22:00"]  # "800mg at night", when HS
    start = datetime(2026, 10, 24, 12, tzinfo=UTC)
    assert plan_reminders(consented, start, timedelta(hours=48), rule=MissedDoseRule(), network=DEMO_NETWORK,
                          settings=RECONCILIATION).queued == 2
    assert plan_reminders(consented, start + timedelta(hours=12), timedelta(hours=48), rule=MissedDoseRule(),
                          network=DEMO_NETWORK, settings=RECONCILIATION).queued == 1  # only the new day
    due = [r.due_at for r in reminders(consented)]  # aware UTC from the database, on SQLite too
    assert due == [datetime(2026, 10, 24, 21, tzinfo=UTC), datetime(2026, 10, 25, 22, tzinfo=UTC), datetime(2026, 10, 26, 22, tzinfo=UTC)]
    body = reminders(consented)[0].body
    assert "night medicines" in body and "ithium" not in body and "Reply TAKEN or SKIP" in body


def test_chosen_times_hold_across_the_spring_change_and_a_missing_hour_is_not_skipped(consented: Session) -> None:
    create_plan(consented, LITHIUM, "Lithium carbonate", ["08:00", "01:30"], by="patient's choice", now=NOW,
                settings=RECONCILIATION)
    plan_reminders(consented, datetime(2026, 3, 28, 12, tzinfo=UTC), timedelta(hours=36), rule=MissedDoseRule(), network=DEMO_NETWORK,
                   settings=RECONCILIATION)
    due = [r.due_at.strftime("%d %H:%M") for r in reminders(consented)]
    assert due == ["29 01:30", "29 07:00"]  # 01:30 does not exist on 29 March: sent at 02:30 BST; 08:00 BST is 07:00 UTC


def test_a_stopped_medicine_stops_its_reminders_and_cancels_those_queued(consented: Session) -> None:
    now = datetime.now(UTC)
    create_plan(consented, LITHIUM, "Lithium carbonate", ["09:00", "21:00"], by="Pharmacist A", now=now, settings=RECONCILIATION)
    assert plan_reminders(consented, now, rule=MissedDoseRule(), network=DEMO_NETWORK, settings=RECONCILIATION).queued == 2
    stopped = json.loads(lithium_reduced("2026-11-20T10:00:00+00:00"))
    for entry in stopped["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "MedicationStatement" and "Lithium" in json.dumps(resource["medicationCodeableConcept"]):
            resource["status"] = "stopped"
    for feed in ("acute", "gp", "mental-health"):  # every feed now says it was stopped
        raw = json.loads((SAMPLES / "02-lithium-brand-and-ramipril" / f"{feed}.json").read_text()) if feed != "acute" else stopped
        raw["timestamp"] = "2026-11-20T10:00:00+00:00"
        for entry in raw["entry"]:
            resource = entry["resource"]
            concept = json.dumps(resource.get("medicationCodeableConcept", {}))
            if "Lithium" in concept or "Priadel" in concept:  # the GP and the trust record the brand
                resource["status"] = "stopped"
            if resource["resourceType"] in ("Composition", "List"):
                resource["date"] = "2026-11-20T10:00:00+00:00"
        ingest_message(consented, feed, json.dumps(raw).encode(), sender="test", now=now, max_bytes=5 << 20,
                       network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    report = plan_reminders(consented, now + timedelta(minutes=1), rule=MissedDoseRule(), network=DEMO_NETWORK, settings=RECONCILIATION)
    assert report.stopped_plans == 1 and report.queued == 0
    assert {r.status for r in reminders(consented)} == {"cancelled"}
    dispatch(consented, ConsoleGateway(), now + timedelta(days=1))  # (the "medicines changed" messages may go; no reminder)
    assert {r.status for r in reminders(consented)} == {"cancelled"}


def test_a_medicine_not_being_taken_or_without_times_cannot_have_reminders(consented: Session) -> None:
    with pytest.raises(InvalidRequest, match="not a medicine the reconciled list"):
        create_plan(consented, LITHIUM, "Clozapine", [], by="x", now=NOW, settings=RECONCILIATION)
    with pytest.raises(InvalidRequest, match="not a time of day"):
        create_plan(consented, LITHIUM, "Lithium carbonate", ["8am"], by="x", now=NOW, settings=RECONCILIATION)


def test_reminders_left_unanswered_count_as_missed_when_planning_runs(consented: Session) -> None:
    from medpass.db.rows import PatientRow, TaskRow

    patient = consented.scalars(select(PatientRow.id).where(PatientRow.nhs_number == LITHIUM)).one()
    now = datetime.now(UTC)
    for day in range(3):
        sent_at = now - timedelta(days=day + 1)
        consented.add(SmsOutboxRow(patient_id=patient, idempotency_key=f"dose:8:{day}", kind="dose-reminder", body="Time.", segments=1,
                                   due_at=sent_at, valid_until=None, status="sent", attempts=1, next_attempt_at=sent_at,
                                   sent_at=sent_at, created_at=sent_at))
    consented.commit()
    create_plan(consented, LITHIUM, "Lithium carbonate", [], by="x", now=now, settings=RECONCILIATION)
    plan_reminders(consented, now, rule=MissedDoseRule(), network=DEMO_NETWORK, settings=RECONCILIATION)
    assert len(consented.scalars(select(TaskRow).where(TaskRow.kind == "missed-doses")).all()) == 2


def test_reminders_pause_while_a_feed_says_the_patient_is_an_inpatient_and_resume_after_discharge(consented: Session) -> None:
    now = datetime.now(UTC)
    create_plan(consented, LITHIUM, "Lithium carbonate", ["09:00", "21:00"], by="Pharmacist A", now=now, settings=RECONCILIATION)
    assert plan_reminders(consented, now, rule=MissedDoseRule(), network=DEMO_NETWORK, settings=RECONCILIATION).queued == 2
    admitted = json.loads(lithium_reduced("2026-11-21T10:00:00+00:00"))
    for entry in admitted["entry"]:
        if entry["resource"]["resourceType"] == "Encounter":
            entry["resource"]["status"] = "in-progress"
            entry["resource"].get("period", {}).pop("end", None)
    assert ingest_message(consented, "acute", json.dumps(admitted).encode(), sender="ward", now=now, max_bytes=5 << 20,
                          network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    assert plan_reminders(consented, now + timedelta(minutes=1), rule=MissedDoseRule(), network=DEMO_NETWORK,
                          settings=RECONCILIATION).queued == 0
    assert {r.status for r in reminders(consented)} == {"cancelled"}
    discharged = lithium_reduced("2026-11-22T10:00:00+00:00")  # the discharge summary: the Encounter is finished
    ingest_message(consented, "acute", discharged, sender="ward", now=now, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None,
                   settings=RECONCILIATION)
    assert plan_reminders(consented, now + timedelta(minutes=2), rule=MissedDoseRule(), network=DEMO_NETWORK,
                          settings=RECONCILIATION).queued == 2
    assert {r.status for r in reminders(consented)} == {"queued"}  # the paused ones are back, not made twice
