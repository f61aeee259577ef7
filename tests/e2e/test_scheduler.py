"""The scheduler runs as its own process (`flask --app medpass scheduler`) and pushes what the web process queued."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.conftest import ROOT
from tests.e2e.conftest import FLASK
from tests.messages import lithium_reduced
from tests.receiver import receiver

Cli = Callable[..., subprocess.CompletedProcess[str]]


def test_the_scheduler_process_pushes_a_new_task_to_its_subscriber_and_stops_cleanly(
    live_server: str, flask_cli: Cli, cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert flask_cli("load-samples").returncode == 0
    made = flask_cli("create-client", "--name", "Practice", "--ods", "ZZG02", "--scope", "system/Subscription.c")
    headers = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}", "Content-Type": "application/fhir+json"}
    discharge = tmp_path / "discharge.json"
    discharge.write_bytes(lithium_reduced())
    with receiver() as (url, received):
        subscription = {"resourceType": "Subscription", "status": "requested", "reason": "practice inbox",
                        "criteria": "Task?owner=Organization/ZZG02", "channel": {"type": "rest-hook", "endpoint": url,
                                                                                "payload": "application/fhir+json"}}
        created = requests.post(f"{live_server}/fhir/Subscription", data=json.dumps(subscription), headers=headers, timeout=10)
        assert created.status_code == 201
        scheduler = subprocess.Popen([*FLASK, "scheduler"], env=dict(cli_env, MEDPASS_PUSH_INTERVAL_SECONDS="0.5"), cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert flask_cli("ingest", "--feed", "acute", str(discharge)).returncode == 0
            deadline = time.monotonic() + 20
            while len(received.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            scheduler.send_signal(signal.SIGINT)
            out, err = scheduler.communicate(timeout=20)
    assert sorted(r["body"]["code"]["coding"][0]["code"] for r in received.requests) == ["changed", "high-severity-discrepancy"]
    assert scheduler.returncode == 0 and "scheduler stopped" in out and "Traceback" not in err


def test_the_scheduler_sends_a_queued_sms_through_the_console_gateway(flask_cli: Cli, cli_env: dict[str, str]) -> None:
    assert flask_cli("init-db").returncode == 0 and flask_cli("load-samples").returncode == 0
    assert flask_cli("sms-consent", "--nhs-number", "9999986986", "--opt-in", "--phone", "07700 900123", "--by", "Pharmacist A",
                     "--how", "in clinic").returncode == 0
    assert flask_cli("sms-test", "--nhs-number", "9999986986").returncode == 0
    scheduler = subprocess.Popen([*FLASK, "scheduler"], env=dict(cli_env, MEDPASS_SMS_DISPATCH_SECONDS="0.5"), cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)
    finally:
        scheduler.send_signal(signal.SIGINT)
        out, err = scheduler.communicate(timeout=20)
    assert "SMS to +447700900123" in err and "This is a test message from medpass" in err, out + err
    assert "1 sent" not in out and "Traceback" not in err
