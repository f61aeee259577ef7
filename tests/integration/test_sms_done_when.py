"""Issue 5's "done when", in one story: with the twilio gateway pointed at a local Twilio-shaped server, a consented
demo patient gets their reminders at the right local times, their replies are recorded, STOP stops everything,
and nothing is ever sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from medpass import create_app
from medpass.config import Config
from medpass.db.rows import SmsInboundRow, SmsOutboxRow
from medpass.domain.contacts import ConsentChange
from medpass.domain.tasks import DEMO_NETWORK, MissedDoseRule
from medpass.services.reminders import create_plan, plan_reminders
from medpass.services.samples import load_samples
from medpass.services.sms import dispatch, record_consent
from medpass.services.sms_inbound import receive_reply
from medpass.sms.gateway import TwilioGateway, TwilioSettings
from tests.conftest import NOW, RECONCILIATION, SAMPLES
from tests.fake_twilio import fake_twilio
from tests.twilio_openapi import request_problems

TOKEN = "test-auth-token-not-a-secret"
PUBLIC = "https://medpass.example.nhs.uk"


def test_a_consented_patient_gets_reminders_replies_and_stop_through_the_twilio_gateway(
    config: Config, engine: Engine, session: Session
) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    record_consent(session, "9999986986", change=ConsentChange.OPTED_IN, phone="07700 900123", recorded_by="Pharmacist A",
                   how="in clinic", now=NOW)
    create_plan(session, "9999986986", "Lithium carbonate", ["08:00", "22:00"], by="the patient's choice", now=NOW, settings=RECONCILIATION)
    app: Flask = create_app(config.with_overrides({"twilio_auth_token": TOKEN, "public_base_url": PUBLIC}))
    client = app.test_client()
    start = datetime(2026, 10, 24, 12, tzinfo=UTC)  # across the October change
    plan_reminders(session, start, timedelta(hours=48), rule=MissedDoseRule(), network=DEMO_NETWORK, settings=RECONCILIATION)
    with fake_twilio() as (url, fake):
        gateway = TwilioGateway(TwilioSettings("AC" + "0" * 32, TOKEN, from_number="+447700900999", api_base_url=url))
        for hour in range(48):  # the dispatcher runs through two days, as the scheduler would
            at = start + timedelta(hours=hour, minutes=1)
            for _ in range(2):  # and twice each time, as two schedulers might
                dispatch(session, gateway, at)
            if len(fake.requests) == 1 and hour < 12:  # the webhook's service, at this story's time (the web app reads the real clock)
                receive_reply(session, message_sid="SM" + "f" * 32, from_number="+447700900123", body="Taken", now=at,
                              rule=MissedDoseRule(), network=DEMO_NETWORK)
            if len(fake.requests) == 3:
                form = {"MessageSid": "SM" + "e" * 32, "From": "+447700900123", "Body": "STOP"}
                signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/sms/inbound", form)
                assert client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature}).status_code == 200
        plan_reminders(session, start + timedelta(hours=48), timedelta(hours=48), rule=MissedDoseRule(),
                       network=DEMO_NETWORK, settings=RECONCILIATION)  # planning after STOP queues nothing to send
        dispatch(session, gateway, start + timedelta(days=5))
    session.rollback()
    sent = select(SmsOutboxRow.due_at).where(SmsOutboxRow.status == "sent").order_by(SmsOutboxRow.due_at)
    sent_at_local = list(session.scalars(sent))
    # 24 Oct 22:00 BST = 21:00 UTC; 25 Oct 08:00 GMT = 08:00 UTC; 25 Oct 22:00 GMT = 22:00 UTC: then STOP
    assert sent_at_local == [datetime(2026, 10, 24, 21, tzinfo=UTC), datetime(2026, 10, 25, 8, tzinfo=UTC),
                             datetime(2026, 10, 25, 22, tzinfo=UTC)]
    assert len(fake.requests) == 3  # one request per reminder sent: nothing twice, though every dispatch ran twice
    assert all(request_problems(r) == [] for r in fake.requests)
    replies = {r.kind: r for r in session.scalars(select(SmsInboundRow))}
    assert replies["taken"].answers_outbox_id is not None and "opt-out" in replies
    statuses = set(session.scalars(select(SmsOutboxRow.status).where(SmsOutboxRow.due_at > datetime(2026, 10, 25, 22, 30, tzinfo=UTC))))
    assert statuses == {"cancelled"}  # what was planned after STOP was cancelled, nothing sent
