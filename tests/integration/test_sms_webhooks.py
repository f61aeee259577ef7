"""Twilio's webhooks, signed with twilio's own RequestValidator: replies act once, status callbacks count once,
and an unsigned or wrongly signed request is refused and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from medpass import create_app
from medpass.config import Config
from medpass.db.rows import PatientRow, SmsConsentRow, SmsInboundRow, SmsOutboxRow, SmsStatusRow
from medpass.domain.contacts import ConsentChange
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.samples import load_samples
from medpass.services.sms import dispatch, enqueue, queue_test_message, record_consent
from medpass.sms.gateway import ConsoleGateway
from tests.conftest import NOW, RECONCILIATION, SAMPLES, snapshot

TOKEN = "test-auth-token-not-a-secret"
PUBLIC = "https://medpass.example.nhs.uk"
PHONE = "+447700900123"


@pytest.fixture
def webhook_app(config: Config, engine: Engine, session: Session) -> Flask:
    """The app with Twilio's auth token and its public URL (as behind a TLS proxy); the lithium patient has consented."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    record_consent(session, "9999986986", change=ConsentChange.OPTED_IN, phone="07700 900123", recorded_by="Pharmacist A",
                   how="in clinic", now=NOW)
    return create_app(config.with_overrides({"twilio_auth_token": TOKEN, "public_base_url": PUBLIC}))


def signed_post(client: FlaskClient, path: str, form: dict[str, str], token: str = TOKEN) -> Any:
    """POST a form as Twilio would, signed over the public URL."""
    signature = RequestValidator(token).compute_signature(f"{PUBLIC}{path}", form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}, base_url="http://127.0.0.1:8000")


def reply(client: FlaskClient, sid: str, body: str) -> Any:
    """A patient's reply."""
    return signed_post(client, "/sms/inbound", {"MessageSid": sid, "From": PHONE, "To": "+447700900999", "Body": body})


def test_unsigned_or_wrongly_signed_webhooks_are_refused_and_change_nothing(webhook_app: Flask, engine: Engine) -> None:
    client = webhook_app.test_client()
    before = snapshot(engine)
    form = {"MessageSid": "SM1", "From": PHONE, "Body": "STOP"}
    assert client.post("/sms/inbound", data=form).status_code == 403
    assert signed_post(client, "/sms/inbound", form, token="someone-elses-token").status_code == 403
    tampered = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/sms/inbound", {**form, "Body": "hello"})
    assert client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": tampered}).status_code == 403
    assert signed_post(client, "/sms/status", {"MessageSid": "SM1", "MessageStatus": "delivered"}, token="wrong").status_code == 403
    assert snapshot(engine) == before


def test_stop_opts_out_and_cancels_what_is_queued_start_opts_back_in(webhook_app: Flask, session: Session) -> None:
    client = webhook_app.test_client()
    queued, _ = queue_test_message(session, "9999986986", NOW + timedelta(days=1))
    answer = reply(client, "SM" + "a" * 32, "Stop")
    assert answer.status_code == 200 and answer.mimetype == "text/xml" and "<Response>" in answer.get_data(as_text=True)
    session.expire_all()
    assert session.get_one(SmsOutboxRow, queued).status == "cancelled"
    reply(client, "SM" + "b" * 32, "START")
    session.rollback()  # end this session's read snapshot: the webhook committed on its own connection
    changes = session.scalars(select(SmsConsentRow.change).order_by(SmsConsentRow.id)).all()
    assert changes == ["opted-in", "opted-out", "opted-in"]
    assert session.scalars(select(SmsConsentRow.recorded_by)).all()[-1] == "the patient, by SMS reply"


def test_taken_answers_the_newest_reminder_help_is_answered_and_own_words_are_kept_once(webhook_app: Flask, session: Session) -> None:
    client = webhook_app.test_client()
    patient = session.scalars(select(PatientRow.id).where(PatientRow.nhs_number == "9999986986")).one()
    now = datetime.now(UTC)
    reminder, _ = enqueue(session, patient, key="dose:1:now", kind="dose-reminder", body="Time for your medicines. Reply TAKEN or SKIP.",
                          due_at=now, valid_for=timedelta(hours=1), now=now)
    assert dispatch(session, ConsoleGateway(), now).sent == 1
    reply(client, "SM" + "c" * 32, "taken")
    reply(client, "SM" + "d" * 32, "HELP")
    for _ in range(2):  # Twilio may deliver a webhook twice
        reply(client, "SM" + "e" * 32, "The new tablets make me dizzy")
    session.rollback()
    rows = {r.kind: r for r in session.scalars(select(SmsInboundRow))}
    assert set(rows) == {"taken", "help", "own-words"} and rows["taken"].answers_outbox_id == reminder
    assert rows["own-words"].body == "The new tablets make me dizzy" and rows["own-words"].patient_id == patient
    help_reply = session.scalars(select(SmsOutboxRow).where(SmsOutboxRow.kind == "help-reply")).one()
    assert "Reply STOP" in help_reply.body and help_reply.status == "queued"


def test_status_callbacks_count_once_and_never_move_a_message_back(webhook_app: Flask, session: Session) -> None:
    client = webhook_app.test_client()
    message, _ = queue_test_message(session, "9999986986", NOW)
    dispatch(session, ConsoleGateway(), NOW)
    session.expire_all()
    sid = session.get_one(SmsOutboxRow, message).message_sid or ""
    for status in ("sent", "delivered", "delivered", "sent"):
        assert signed_post(client, "/sms/status", {"MessageSid": sid, "MessageStatus": status}).status_code == 204
    session.rollback()
    assert session.get_one(SmsOutboxRow, message).status == "delivered"
    assert sorted(session.scalars(select(SmsStatusRow.status)).all()) == ["delivered", "sent"]


def test_three_skips_in_a_week_raise_one_task_for_the_gp_practice_and_the_trust(webhook_app: Flask, session: Session) -> None:
    from medpass.db.rows import TaskRow
    from medpass.db.tasks import as_task
    from medpass.fhir.build_task import task_resource
    from tests.fhir_schema import schema_errors

    client = webhook_app.test_client()
    patient = session.scalars(select(PatientRow.id).where(PatientRow.nhs_number == "9999986986")).one()
    now = datetime.now(UTC)
    for day in range(4):
        sent_at = now - timedelta(days=3 - day, minutes=5)
        enqueue(session, patient, key=f"dose:9:{day}", kind="dose-reminder", body="Time for your medicines. Reply TAKEN or SKIP.",
                due_at=sent_at, valid_for=timedelta(hours=1), now=sent_at)
        assert dispatch(session, ConsoleGateway(), sent_at).sent == 1
        reply(client, f"SM{day:032d}", "skip")
    session.rollback()
    made = list(session.scalars(select(TaskRow).where(TaskRow.kind == "missed-doses")))
    assert sorted(t.owner_ods or "" for t in made) == ["ZZG02", "ZZT01"]  # once, though a fourth SKIP came
    resource = task_resource(as_task(made[0]), now)
    assert resource["requester"]["reference"] == f"Patient/{patient}" and "missed 3 doses" in resource["description"]
    assert "ithium" not in resource["description"] and schema_errors(resource) == []
