"""Change notifications: a hospital changes lithium, the GP practice and the trust get Tasks, find them and close the loop."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from medpass.db.rows import NotificationRow, SubscriptionRow, TaskRow
from medpass.domain.tasks import DEMO_NETWORK
from medpass.push.rest_hook import send
from medpass.services.clients import create_client
from medpass.services.ingest import ingest_message
from medpass.services.samples import load_samples
from medpass.services.subscriptions import deliver_due
from tests.conftest import NOW, RECONCILIATION, SAMPLES, snapshot
from tests.fhir_schema import schema_errors
from tests.messages import lithium_reduced
from tests.receiver import receiver

TASK_SCOPES = ["system/Task.rus", "system/Subscription.crds"]


def body(response: Any) -> dict[str, Any]:
    """A FHIR JSON body, checked against the official schema."""
    assert response.headers["Content-Type"].startswith("application/fhir+json"), response.data[:200]
    loaded: dict[str, Any] = response.get_json(force=True)
    assert schema_errors(loaded) == []
    return loaded


def headers_for(session: Session, ods: str, scopes: list[str] = TASK_SCOPES) -> dict[str, str]:
    """The bearer headers of a partner's system."""
    _, token = create_client(session, name=f"System of {ods}", ods_code=ods, feed=None, scopes=scopes, now=NOW)
    return {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}


@pytest.fixture
def changed(session: Session) -> int:
    """The demo data loaded, then the hospital's lithium change ingested now; the new message's id."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    result = ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=datetime.now(UTC), max_bytes=5 << 20,
                            network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    made = session.execute(select(TaskRow.kind, TaskRow.owner_ods).where(TaskRow.message_id == result.message_id)).all()
    # the change itself, and the lithium dose discrepancy it opened with the GP record (high severity), for GP and trust
    assert sorted(made) == [("changed", "ZZG02"), ("changed", "ZZT01"),
                            ("high-severity-discrepancy", "ZZG02"), ("high-severity-discrepancy", "ZZT01")]
    assert result.tasks == 4 and "4 change notification(s)" in result.summary()
    return result.message_id


def test_a_hospital_change_gives_the_gp_practice_and_the_trust_each_an_urgent_task(
    app: Flask, session: Session, changed: int
) -> None:
    client = app.test_client()
    gp = headers_for(session, "ZZG02")
    found = body(client.get("/fhir/Task?owner=Organization/ZZG02&status=requested&code=changed", headers=gp))
    assert found["total"] == 1
    task = found["entry"][0]["resource"]
    assert task["priority"] == "urgent" and task["code"]["coding"][0]["code"] == "changed"
    assert task["description"] == (
        "The acute hospital changed Lithium carbonate 400mg modified-release tablets: dose changed from 800 mg to 400 mg at bedtime "
        "(was Lithium carbonate 400mg modified-release tablets, 800mg at night; now Lithium carbonate 400mg modified-release tablets, "
        "400mg at night). No reason was recorded.")
    assert task["focus"]["reference"].startswith("MedicationStatement/") and task["requester"]["identifier"]["value"] == "ZZH01"
    focus = client.get(f"/fhir/{task['focus']['reference']}", headers=headers_for(session, "ZZG02", ["system/MedicationStatement.r"]))
    assert focus.status_code == 200 and body(focus)["dosage"][0]["text"] == "400mg at night"
    patient = task["for"]["reference"]
    trust = body(client.get(f"/fhir/Task?owner=Organization/ZZT01&code=changed&patient={patient}", headers=gp))
    assert trust["total"] == 1 and trust["entry"][0]["resource"]["owner"]["display"] == "Northside Mental Health NHS Trust"
    hospital = body(client.get(f"/fhir/Task?owner=Organization/ZZH01&patient={patient}", headers=gp))
    # the partner who made the change is not told about it (its Tasks here come from the GP's earlier list)
    assert hospital["total"] >= 1 and all(e["resource"]["requester"]["identifier"]["value"] != "ZZH01" for e in hospital["entry"])


def test_the_same_message_again_or_an_older_one_makes_no_new_task(session: Session, changed: int) -> None:
    before = session.scalar(select(func.count()).select_from(TaskRow))
    again = ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=datetime.now(UTC), max_bytes=5 << 20,
                           network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    older = ingest_message(session, "acute", lithium_reduced("2026-02-25T10:00:00+00:00"), sender="hospital",
                           now=datetime.now(UTC), max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    assert again.duplicate and again.tasks == 0 and older.tasks == 0
    assert again.message_id == changed and not older.duplicate
    assert session.scalar(select(func.count()).select_from(TaskRow)) == before


def test_the_owner_accepts_then_completes_under_if_match_and_every_version_is_kept(
    app: Flask, session: Session, changed: int
) -> None:
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    task = body(client.get("/fhir/Task?owner=Organization/ZZG02&code=changed", headers=gp))["entry"][0]["resource"]
    url = f"/fhir/Task/{task['id']}"
    read = client.get(url, headers=gp)
    assert read.headers["ETag"] == 'W/"1"' and read.headers["Last-Modified"]
    accepted = client.put(url, json={**task, "status": "accepted"}, headers={**gp, "If-Match": 'W/"1"'})
    assert accepted.status_code == 200 and accepted.headers["ETag"] == 'W/"2"' and body(accepted)["status"] == "accepted"
    stale = client.put(url, json={**task, "status": "completed"}, headers={**gp, "If-Match": '"1"'})
    assert stale.status_code == 412 and body(stale)["issue"][0]["code"] == "conflict"
    done = client.patch(url, data=json.dumps([{"op": "replace", "path": "/status", "value": "completed"},
                                              {"op": "add", "path": "/note", "value": [{"text": "GP record updated to 400 mg"}]}]),
                        headers={**gp, "Content-Type": "application/json-patch+json", "If-Match": 'W/"2"'})
    completed = body(done)
    assert done.status_code == 200 and completed["status"] == "completed" and completed["note"][0]["text"] == "GP record updated to 400 mg"
    history = body(client.get(f"{url}/_history", headers=gp))
    assert [e["resource"]["status"] for e in history["entry"]] == ["completed", "accepted", "requested"]
    first = body(client.get(f"{url}/_history/1", headers=gp))
    assert first["status"] == "requested" and first["meta"]["versionId"] == "1"
    reopened = client.put(url, json={**task, "status": "accepted"}, headers=gp)
    assert reopened.status_code == 409 and body(reopened)["resourceType"] == "OperationOutcome"


def test_only_the_owner_may_move_a_task_and_a_rejection_needs_a_reason(
    app: Flask, session: Session, engine: Engine, changed: int
) -> None:
    client, gp, trust = app.test_client(), headers_for(session, "ZZG02"), headers_for(session, "ZZT01")
    task = body(client.get("/fhir/Task?owner=Organization/ZZG02&code=changed", headers=gp))["entry"][0]["resource"]
    before = snapshot(engine)
    not_theirs = client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "accepted"}, headers=trust)
    no_reason = client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "rejected"}, headers=gp)
    nonsense = client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "bogus"}, headers=gp)
    wrong_id = client.put(f"/fhir/Task/{task['id']}", json={**task, "id": "999"}, headers=gp)
    not_json = client.put(f"/fhir/Task/{task['id']}", data=b"{", headers={**gp, "Content-Type": "application/fhir+json"})
    assert [r.status_code for r in (not_theirs, no_reason, nonsense, wrong_id, not_json)] == [403, 400, 400, 400, 400]
    assert "needs a reason" in body(no_reason)["issue"][0]["diagnostics"]
    assert snapshot(engine) == {**before, "audit_events": snapshot(engine)["audit_events"]}
    rejected = client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "rejected", "statusReason": {"text": "Not registered here"}},
                          headers=gp)
    assert body(rejected)["statusReason"]["text"] == "Not registered here"


def test_a_task_nobody_acknowledged_in_time_is_listed_as_overdue(app: Flask, session: Session) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    long_ago = datetime.now(UTC) - timedelta(days=2)
    ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=long_ago, max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    overdue = body(client.get("/fhir/Task?owner=Organization/ZZG02&overdue=true", headers=gp))
    changed = [e["resource"] for e in overdue["entry"] if e["resource"]["code"]["coding"][0]["code"] == "changed"]
    assert len(changed) == 1 and changed[0]["businessStatus"]["coding"][0]["code"] == "overdue"
    accepted = client.put(f"/fhir/Task/{changed[0]['id']}", json={**changed[0], "status": "accepted"}, headers=gp)
    assert "businessStatus" not in body(accepted)
    still = body(client.get("/fhir/Task?owner=Organization/ZZG02&overdue=true&code=changed", headers=gp))
    assert still["total"] == 0
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["tasks", "--owner", "ZZT01", "--overdue"])
    assert result.exit_code == 0 and "OVERDUE" in result.output and "Lithium carbonate" in result.output


def test_task_searches_page_and_refuse_what_they_do_not_understand(app: Flask, session: Session, changed: int) -> None:
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    everything = body(client.get("/fhir/Task?_count=500", headers=gp))
    seen, link = [], "/fhir/Task?_count=4"
    while link:
        page = body(client.get(link, headers=gp))
        seen += [e["resource"]["id"] for e in page["entry"]]
        link = next((k["url"].replace("http://localhost", "") for k in page["link"] if k["relation"] == "next"), "")
    assert sorted(seen) == sorted(e["resource"]["id"] for e in everything["entry"]) and len(seen) == everything["total"] > 4
    for query in ("colour=blue", "status=bogus", "owner=ZZG02", "code=nonsense", "overdue=maybe", "patient=abc"):
        refused = client.get(f"/fhir/Task?{query}", headers=gp)
        assert refused.status_code == 400 and body(refused)["resourceType"] == "OperationOutcome", query


def _subscribe(client: FlaskClient, headers: dict[str, str], endpoint: str, **channel: Any) -> Any:
    """POST a rest-hook Subscription on the GP practice's requested Tasks."""
    subscription = {"resourceType": "Subscription", "status": "requested", "reason": "Tell the practice system",
                    "criteria": "Task?owner=Organization/ZZG02&status=requested",
                    "channel": {"type": "rest-hook", "endpoint": endpoint, "payload": "application/fhir+json",
                                "header": ["Authorization: Bearer receiver-secret"], **channel}}
    return client.post("/fhir/Subscription", json=subscription, headers={**headers, "Content-Type": "application/fhir+json"})


def test_a_subscriber_is_pushed_each_new_task_and_a_failing_endpoint_is_retried_until_it_answers(
    app: Flask, session: Session
) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    with receiver() as (url, received):
        created = _subscribe(client, gp, url)
        subscription = body(created)
        assert created.status_code == 201 and subscription["status"] == "active"
        assert created.headers["Location"].endswith(f"/fhir/Subscription/{subscription['id']}/_history/1")
        now = datetime.now(UTC)
        ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=now, max_bytes=5 << 20,
                       network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
        received.fail_next = 2
        first = deliver_due(session, now, lambda push: send(push, 5))
        assert (first.delivered, first.failed) == (0, 1)  # the second push waits with the first rather than time out too
        failing = body(client.get(f"/fhir/Subscription/{subscription['id']}", headers=gp))
        assert failing["status"] == "error" and "HTTP 500" in failing["error"]
        assert deliver_due(session, now + timedelta(seconds=5), lambda push: send(push, 5)).delivered == 0  # backing off
        second = deliver_due(session, now + timedelta(seconds=31), lambda push: send(push, 5))
        assert (second.delivered, second.failed) == (0, 1)
        third = deliver_due(session, now + timedelta(minutes=2), lambda push: send(push, 5))
        assert (third.delivered, third.failed) == (2, 0)  # the lithium change and the discrepancy it opened
        assert body(client.get(f"/fhir/Subscription/{subscription['id']}", headers=gp))["status"] == "active"
    pushes = [r for r in received.requests if r["method"] == "PUT"]
    assert len(pushes) == 4 and all(r["path"].startswith("/Task/") for r in pushes)
    task = pushes[-1]["body"]
    assert task["resourceType"] == "Task" and task["owner"]["identifier"]["value"] == "ZZG02" and schema_errors(task) == []
    assert pushes[-1]["headers"]["Authorization"] == "Bearer receiver-secret"
    assert pushes[-1]["headers"]["Content-Type"] == "application/fhir+json"
    assert session.scalar(select(func.count()).select_from(NotificationRow).where(NotificationRow.delivered_at.is_(None))) == 0


def test_a_status_change_is_pushed_once_and_a_deleted_subscription_is_gone(app: Flask, session: Session, changed: int) -> None:
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    with receiver() as (url, received):
        subscription = body(_subscribe(client, gp, url))
        task = body(client.get("/fhir/Task?owner=Organization/ZZG02&code=changed", headers=gp))["entry"][0]["resource"]
        resubscribe = {"resourceType": "Subscription", "status": "requested", "reason": "Everything the practice closes",
                       "criteria": "Task?owner=Organization/ZZG02&status=accepted,completed",
                       "channel": {"type": "rest-hook", "endpoint": url}}
        ping = client.post("/fhir/Subscription", json=resubscribe, headers={**gp, "Content-Type": "application/fhir+json"})
        assert ping.status_code == 201
        client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "accepted"}, headers=gp)
        client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "completed"}, headers=gp)
        report = deliver_due(session, datetime.now(UTC) + timedelta(seconds=1), lambda push: send(push, 5))
        assert (report.delivered, report.superseded) == (1, 1)  # accepted then completed: the newest version is pushed once
        assert [r["method"] for r in received.requests] == ["POST"] and received.requests[0]["body"] is None
        assert client.delete(f"/fhir/Subscription/{subscription['id']}", headers=gp).status_code == 204
        gone = client.get(f"/fhir/Subscription/{subscription['id']}", headers=gp)
        assert gone.status_code == 410 and body(gone)["issue"][0]["code"] == "deleted"
    listed = body(client.get("/fhir/Subscription", headers=gp))
    assert [e["resource"]["id"] for e in listed["entry"]] == [body(ping)["id"]]
    other = headers_for(session, "ZZG01")
    assert client.get(f"/fhir/Subscription/{body(ping)['id']}", headers=other).status_code == 404


def test_a_bad_subscription_is_refused_and_stores_nothing(app: Flask, session: Session, engine: Engine) -> None:
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    before = snapshot(engine)
    for channel, criteria in (({"type": "email", "endpoint": "mailto:x@example.org"}, "Task?owner=Organization/ZZG02"),
                              ({"type": "rest-hook", "endpoint": "ftp://example.org"}, "Task?owner=Organization/ZZG02"),
                              ({"type": "rest-hook", "endpoint": "http://127.0.0.1:9"}, "Patient?name=x"),
                              ({"type": "rest-hook", "endpoint": "http://127.0.0.1:9", "header": ["no colon"]}, "Task?status=requested")):
        refused = client.post("/fhir/Subscription", json={"resourceType": "Subscription", "status": "requested", "reason": "r",
                                                          "criteria": criteria, "channel": channel},
                              headers={**gp, "Content-Type": "application/fhir+json"})
        assert refused.status_code == 400 and body(refused)["resourceType"] == "OperationOutcome", channel
    assert {k: v for k, v in snapshot(engine).items() if k != "audit_events"} == {k: v for k, v in before.items() if k != "audit_events"}
    assert session.scalar(select(func.count()).select_from(SubscriptionRow)) == 0


def test_the_patient_page_shows_who_was_told_and_whether_they_acknowledged(app: Flask, session: Session, changed: int) -> None:
    gp = headers_for(session, "ZZG02")
    client = app.test_client()
    task = body(client.get("/fhir/Task?owner=Organization/ZZG02&code=changed", headers=gp))["entry"][0]["resource"]
    client.put(f"/fhir/Task/{task['id']}", json={**task, "status": "rejected", "statusReason": {"text": "Not registered here"}},
               headers=gp)
    page = client.get("/patients/9999986986").get_data(as_text=True)
    assert "Change notifications" in page and "The acute hospital changed Lithium carbonate" in page
    assert "rejected: Not registered here" in page and "Northside Mental Health NHS Trust" in page


def test_a_pusher_that_dies_mid_pass_loses_nothing_the_push_comes_again_after_its_lease(app: Flask, session: Session) -> None:
    from medpass.services.subscriptions import LEASE

    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    client, gp = app.test_client(), headers_for(session, "ZZG02")
    with receiver() as (url, received):
        body(_subscribe(client, gp, url))
        now = datetime.now(UTC)
        ingest_message(session, "acute", lithium_reduced(), sender="hospital", now=now, max_bytes=5 << 20,
                       network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)

        def dies(push: Any) -> None:
            send(push, 5)
            raise RuntimeError("the pusher process was killed")

        with pytest.raises(RuntimeError):
            deliver_due(session, now, dies)
        assert len(received.requests) == 1
        assert deliver_due(session, now + LEASE - timedelta(seconds=1), lambda push: send(push, 5)).delivered == 0
        again = deliver_due(session, now + LEASE + timedelta(seconds=1), lambda push: send(push, 5))
    assert again.delivered == 2 and len(received.requests) == 3  # at least once: the first push came twice, none lost


def test_two_pushers_at_once_never_push_the_same_notification_twice(app: Flask, session: Session) -> None:
    import threading

    from medpass.db import tasks as task_rows

    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    client = app.test_client()
    with receiver() as (url, received):
        for ods in ("ZZG01", "ZZG02", "ZZG03", "ZZG04", "ZZT01", "ZZH01"):
            subscription = {"resourceType": "Subscription", "status": "requested", "reason": "all",
                            "criteria": f"Task?owner=Organization/{ods}",
                            "channel": {"type": "rest-hook", "endpoint": url, "payload": "application/fhir+json"}}
            headers = {**headers_for(session, ods), "Content-Type": "application/fhir+json"}
            assert client.post("/fhir/Subscription", json=subscription, headers=headers).status_code == 201
        for row in session.scalars(select(TaskRow)):  # every Task moves on once: one push owed for each, to its owner's subscriber
            task_rows.change_status(session, row, "accepted", None, None, "test", datetime.now(UTC))
        session.commit()
        owed = session.scalar(select(func.count()).select_from(NotificationRow).where(NotificationRow.delivered_at.is_(None)))
        reports, errors = [], []
        app_sessions = app.extensions["medpass"]["sessions"]  # the scheduler's sessions, as in production

        def pusher() -> None:
            try:
                with app_sessions() as own:
                    reports.append(deliver_due(own, datetime.now(UTC) + timedelta(seconds=1), lambda push: send(push, 5), limit=1000))
            except Exception as exc:  # a thread's exception would otherwise be lost: reported below
                errors.append(exc)

        threads = [threading.Thread(target=pusher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    pushed = [(r["path"], r["body"]["meta"]["versionId"]) for r in received.requests]
    assert errors == [] and len(reports) == 2
    assert owed and len(pushed) == len(set(pushed)) and sum(r.delivered + r.superseded for r in reports) == owed
