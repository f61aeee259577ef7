"""SMS: consent first, one outbox row per message, and the dispatcher through the console and the real twilio client
(pointed at a local server that answers like Twilio)."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medpass.db.rows import SmsConsentRow, SmsContactRow, SmsOutboxRow
from medpass.domain.contacts import ConsentChange
from medpass.domain.errors import InvalidRequest, NotFound
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.samples import load_samples
from medpass.services.sms import SENDING_LEASE, dispatch, enqueue, queue_test_message, record_consent, recover_stale
from medpass.sms.gateway import ConsoleGateway, TwilioGateway, TwilioSettings
from tests.conftest import NOW, RECONCILIATION, SAMPLES
from tests.fake_twilio import fake_twilio
from tests.twilio_openapi import request_problems

LITHIUM = "9999986986"
MOBILE = "07700 900123"


@pytest.fixture
def patient(session: Session) -> int:
    """The demo data; the lithium patient's id."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    from medpass.db.rows import PatientRow

    return session.scalars(select(PatientRow.id).where(PatientRow.nhs_number == LITHIUM)).one()


def opt_in(session: Session, at: timedelta = timedelta(0)) -> None:
    """The patient consents in clinic, giving their mobile number."""
    record_consent(session, LITHIUM, change=ConsentChange.OPTED_IN, phone=MOBILE, recorded_by="Pharmacist A", how="in clinic",
                   now=NOW + at)


def status_of(session: Session, message_id: int) -> SmsOutboxRow:
    """A fresh read of one outbox row."""
    session.expire_all()
    return session.get_one(SmsOutboxRow, message_id)


def test_nothing_is_sent_without_consent_and_an_opt_out_cancels_what_is_queued(session: Session, patient: int) -> None:
    first, _ = queue_test_message(session, LITHIUM, NOW)
    assert dispatch(session, ConsoleGateway(), NOW).cancelled == 1 and status_of(session, first).status == "cancelled"
    opt_in(session)
    second, _ = queue_test_message(session, LITHIUM, NOW + timedelta(seconds=1))
    report = dispatch(session, ConsoleGateway(), NOW + timedelta(seconds=1))
    sent = status_of(session, second)
    assert report.sent == 1 and sent.status == "sent" and sent.to_number == "+447700900123"
    assert sent.message_sid == f"console-outbox-{second}"
    third, _ = queue_test_message(session, LITHIUM, NOW + timedelta(minutes=5))
    record_consent(session, LITHIUM, change=ConsentChange.OPTED_OUT, phone=None, recorded_by="patient", how="asked at the pharmacy",
                   now=NOW + timedelta(minutes=1))
    assert status_of(session, third).status == "cancelled"
    history = session.scalars(select(SmsConsentRow.change).where(SmsConsentRow.patient_id == patient).order_by(SmsConsentRow.id)).all()
    assert history == ["opted-in", "opted-out"]


def test_a_message_is_created_once_however_often_it_is_planned(session: Session, patient: int) -> None:
    made = [enqueue(session, patient, key="dose:1:2026-11-25T08:00", kind="dose-reminder", body="Time for your morning medicines.",
                    due_at=NOW, valid_for=timedelta(hours=1), now=NOW) for _ in range(3)]
    assert [created for _, created in made] == [True, False, False] and len({i for i, _ in made}) == 1
    with pytest.raises(InvalidRequest):
        enqueue(session, patient, key="too-long", kind="test", body="x" * 919, due_at=NOW, valid_for=None, now=NOW)


def test_a_reminder_that_could_not_go_out_in_its_hour_is_dropped_not_sent_late(session: Session, patient: int) -> None:
    opt_in(session)
    message, _ = enqueue(session, patient, key="dose:1:late", kind="dose-reminder", body="Time for your medicines.", due_at=NOW,
                         valid_for=timedelta(hours=1), now=NOW)
    assert dispatch(session, ConsoleGateway(), NOW + timedelta(hours=1, minutes=1)).dropped == 1
    assert status_of(session, message).status == "dropped"


def test_a_message_left_sending_by_a_dead_dispatcher_is_never_resent(session: Session, patient: int) -> None:
    opt_in(session)
    message, _ = queue_test_message(session, LITHIUM, NOW)
    row = session.get_one(SmsOutboxRow, message)
    row.status, row.claimed_at = "sending", NOW
    session.commit()
    assert recover_stale(session, NOW + SENDING_LEASE - timedelta(seconds=1)) == 0
    assert recover_stale(session, NOW + SENDING_LEASE + timedelta(seconds=1)) == 1
    assert dispatch(session, ConsoleGateway(), NOW + timedelta(hours=1)).sent == 0 and status_of(session, message).status == "unknown"


def test_consent_needs_a_known_patient_and_a_uk_mobile(session: Session, patient: int) -> None:
    with pytest.raises(NotFound):
        record_consent(session, "9990000018", change=ConsentChange.OPTED_IN, phone=MOBILE, recorded_by="x", how="y", now=NOW)
    with pytest.raises(InvalidRequest):
        record_consent(session, LITHIUM, change=ConsentChange.OPTED_IN, phone="020 7946 0000", recorded_by="x", how="y", now=NOW)
    with pytest.raises(NotFound, match="no mobile number"):
        record_consent(session, LITHIUM, change=ConsentChange.OPTED_IN, phone=None, recorded_by="x", how="y", now=NOW)
    assert session.scalars(select(SmsContactRow)).all() == []


def twilio(base_url: str) -> TwilioGateway:
    """The real twilio client pointed at the fake."""
    return TwilioGateway(TwilioSettings("AC" + "0" * 32, "not-a-real-token", messaging_service_sid="MG" + "1" * 32,
                                        api_base_url=base_url, timeout_seconds=1))


def test_the_twilio_gateway_sends_through_the_real_client_and_keeps_the_sid(session: Session, patient: int) -> None:
    opt_in(session)
    message, _ = queue_test_message(session, LITHIUM, NOW)
    with fake_twilio() as (url, fake):
        assert dispatch(session, twilio(url), NOW).sent == 1
    (request,) = fake.requests
    assert request["path"] == f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json" and request["user"] == "AC" + "0" * 32
    assert request["form"]["To"] == "+447700900123" and request["form"]["MessagingServiceSid"] == "MG" + "1" * 32
    assert request["form"]["Body"].startswith("This is a test message from medpass")
    assert status_of(session, message).message_sid == "SM" + f"{1:032x}"
    assert request_problems(request) == []


def test_the_openapi_check_catches_a_request_twilio_would_refuse() -> None:
    good = {"method": "POST", "path": f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json",
            "headers": {"Authorization": "Basic " + base64.b64encode(f"AC{'0' * 32}:x".encode()).decode(),
                        "Content-Type": "application/x-www-form-urlencoded"},
            "raw": f"To=%2B447700900123&Body=hi&MessagingServiceSid=MG{'1' * 32}".encode()}
    assert request_problems(good) == []
    assert request_problems({**good, "raw": b"Body=hi"})  # no To
    assert request_problems({**good, "raw": b"To=%2B447700900123&Body=hi&MessagingServiceSid=MG1"})  # not a service SID
    assert request_problems({**good, "headers": {"Content-Type": "application/x-www-form-urlencoded"}})  # no credentials


@pytest.mark.parametrize(("reply", "status", "then"), [
    ((400, 21610), "failed", "opted-out"),
    ((400, 21211), "failed", "number flagged"),
    ((429, 20429), "queued", "retry"),
    ((500, None), "queued", "retry"),
    ("silence", "unknown", "never resent"),
])
def test_twilio_errors_are_handled_by_class(session: Session, patient: int, reply: object, status: str, then: str) -> None:
    opt_in(session)
    message, _ = queue_test_message(session, LITHIUM, NOW)
    with fake_twilio() as (url, fake):
        fake.script.append(reply)  # type: ignore[arg-type]
        dispatch(session, twilio(url), NOW)
        first = status_of(session, message)
        assert first.status == status and first.attempts == 1
        again = dispatch(session, twilio(url), NOW + timedelta(seconds=31))  # 20429 and 5xx back off 30 s first
    assert all(request_problems(r) == [] for r in fake.requests)
    if then == "retry":
        assert again.sent == 1 and len(fake.requests) == 2 and status_of(session, message).status == "sent"
    else:
        assert again.sent == 0 and len(fake.requests) == 1 and status_of(session, message).status == status
    if then == "opted-out":
        changes = session.scalars(select(SmsConsentRow.change).order_by(SmsConsentRow.id)).all()
        assert changes[-1] == "opted-out"
    if then == "number flagged":
        assert session.scalars(select(SmsContactRow.number_problem)).one()


def test_two_dispatchers_at_once_send_each_of_thousands_of_messages_exactly_once(app: Flask, session: Session, patient: int) -> None:
    opt_in(session)
    rows = [SmsOutboxRow(patient_id=patient, idempotency_key=f"bulk:{n}", kind="test", body="Your medicines service: a test.",
                         segments=1, due_at=NOW, valid_until=None, status="queued", attempts=0, next_attempt_at=NOW, created_at=NOW)
            for n in range(2000)]
    session.add_all(rows)
    session.commit()
    sent: list[str] = []
    lock = threading.Lock()

    class Counting(ConsoleGateway):
        def send(self, to: str, body: str, reference: str) -> str:
            with lock:
                sent.append(reference)
            return super().send(to, body, reference)

    errors: list[Exception] = []
    app_sessions = app.extensions["medpass"]["sessions"]  # the dispatchers' sessions, as in production

    def dispatcher(name: str) -> None:
        try:
            with app_sessions() as own:
                while dispatch(own, Counting(), NOW + timedelta(seconds=1), worker=name, limit=50).sent:
                    pass
        except Exception as exc:  # a thread's exception would otherwise be lost: reported below
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher, args=(f"d{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.rollback()
    by_worker = session.execute(select(SmsOutboxRow.claimed_by, func.count()).group_by(SmsOutboxRow.claimed_by)).all()
    assert errors == [] and len(sent) == len(set(sent)) == 2000
    assert session.scalar(select(func.count()).select_from(SmsOutboxRow).where(SmsOutboxRow.status == "sent")) == 2000
    assert {worker for worker, _ in by_worker} == {"d0", "d1"}  # both took part


def test_a_consented_patient_is_told_once_that_their_medicines_changed_without_names_unless_chosen(session: Session, patient: int) -> None:
    from datetime import UTC, datetime

    from medpass.services.ingest import ingest_message
    from tests.messages import lithium_reduced

    opt_in(session)
    now = datetime.now(UTC)
    for _ in range(2):
        ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=now, max_bytes=5 << 20,
                       network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    session.rollback()
    (told,) = session.scalars(select(SmsOutboxRow).where(SmsOutboxRow.kind == "medicines-changed")).all()
    assert told.body.startswith("medpass, your medicines service: your medicines have changed.") and "Lithium" not in told.body
    assert told.valid_until is not None and told.status == "queued"
    record_consent(session, LITHIUM, change=ConsentChange.OPTED_IN, phone=None, recorded_by="patient", how="asked to see names",
                   now=NOW + timedelta(minutes=1), show_medicine_names=True)
    ingest_message(session, "acute", lithium_reduced("2026-03-02T10:00:00+00:00"), sender="hospital", now=now, max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    back_up = json.loads(lithium_reduced("2026-03-03T10:00:00+00:00").replace(b"400mg at night", b"800mg at night"))
    for entry in back_up["entry"]:
        if "doseAndRate" in json.dumps(entry["resource"].get("dosage", [])) and "Lithium" in json.dumps(entry["resource"]):
            entry["resource"]["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 800
    ingest_message(session, "acute", json.dumps(back_up).encode(), sender="hospital", now=now, max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    session.rollback()
    bodies = session.scalars(select(SmsOutboxRow.body).where(SmsOutboxRow.kind == "medicines-changed").order_by(SmsOutboxRow.id)).all()
    assert len(bodies) == 2  # the re-sent list of 2 March changed nothing; the dose going back up on 3 March did
    assert "(Lithium carbonate 400mg modified-release tablets)" in bodies[1]  # the patient chose to see names


def test_a_blood_test_that_falls_due_is_sent_as_a_blood_test_not_by_name(session: Session, patient: int) -> None:
    from medpass.db.rows import DetectedIssueRow, PatientRow
    from medpass.services.patient_messages import tell_patient

    opt_in(session)
    due = session.scalars(select(DetectedIssueRow).where(DetectedIssueRow.patient_id == patient,
                                                         DetectedIssueRow.code == "monitoring-due")).one()
    assert tell_patient(session, session.get_one(PatientRow, patient), 1, [], [due], NOW, None) == 1
    assert tell_patient(session, session.get_one(PatientRow, patient), 2, [], [due], NOW, None) == 0  # once a day
    session.commit()
    body = session.scalars(select(SmsOutboxRow.body).where(SmsOutboxRow.kind == "blood-test-due")).one()
    assert "due a blood test" in body and "ithium" not in body


def test_a_change_message_carries_a_private_passport_link_when_medpass_has_a_public_address(app: Flask, session: Session,
                                                                                           patient: int) -> None:
    from datetime import UTC, datetime

    from medpass.domain.errors import NotFound as Missing
    from medpass.domain.sms_text import sms_length
    from medpass.services.ingest import ingest_message
    from medpass.services.passport_links import PASSPORT_LINK_DAYS, passport_for_link
    from tests.messages import lithium_reduced

    opt_in(session)
    now = datetime.now(UTC)
    ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=now, max_bytes=5 << 20,
                   public_base_url="https://medpass.example.nhs.uk/", network=DEMO_NETWORK, settings=RECONCILIATION)
    session.rollback()
    body = session.scalars(select(SmsOutboxRow.body).where(SmsOutboxRow.kind == "medicines-changed")).one()
    token = body.split("https://medpass.example.nhs.uk/passport/", 1)[1].split()[0]
    assert len(token) >= 40 and "9999986986" not in body and sms_length(body).segments <= 2
    page = app.test_client().get(f"/passport/{token}")
    assert page.status_code == 200 and "Lithium" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert app.test_client().get("/passport/not-a-token").status_code == 404
    with pytest.raises(Missing):
        passport_for_link(session, token, now + timedelta(days=PASSPORT_LINK_DAYS, seconds=1), settings=RECONCILIATION)
