"""A real server as `make run` starts it: health, the demo pages, and errors without stack traces."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.fhir_schema import schema_errors
from tests.messages import bundle, encode

Cli = Callable[..., subprocess.CompletedProcess[str]]


def get(url: str, accept: str = "text/html") -> tuple[int, str, str]:
    """Status, content type and body of a GET, errors included."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_health_answers_ok_when_the_database_answers(live_server: str) -> None:
    status, kind, body = get(f"{live_server}/healthz", "application/json")
    assert (status, json.loads(body)) == (200, {"status": "ok"}) and kind.startswith("application/json")


def test_the_demo_shows_each_feeds_current_view_of_a_patient(live_server: str, flask_cli: Cli, tmp_path: Path) -> None:
    message = tmp_path / "gp.json"
    message.write_bytes(encode(bundle()))
    assert flask_cli("ingest", "--feed", "gp", str(message)).returncode == 0
    _, _, index = get(live_server)
    assert "/patients/9990000018" in index and "TESTPATIENT" in index
    status, _, page = get(f"{live_server}/patients/9990000018")
    assert status == 200 and "Sertraline 50mg tablets" in page and "One tablet each morning" in page
    assert page.count("Nothing received from this feed.") == 2  # mental-health and acute have said nothing


def test_an_unknown_patient_is_a_readable_404_page_or_an_operation_outcome(live_server: str) -> None:
    status, kind, page = get(f"{live_server}/patients/9990000026")
    assert status == 404 and kind.startswith("text/html") and "no patient with NHS number 9990000026" in page
    status, kind, body = get(f"{live_server}/patients/9990000026", "application/fhir+json")
    outcome = json.loads(body)
    assert (status, kind, outcome["issue"][0]["code"]) == (404, "application/fhir+json", "not-found")
    assert schema_errors(outcome) == [] and "Traceback" not in body


def test_a_discharge_change_without_a_reason_says_so(live_server: str, flask_cli: Cli) -> None:
    assert flask_cli("load-samples").returncode == 0
    _, _, page = get(f"{live_server}/patients/9997536452")
    assert "added (no reason recorded)" in page and "continued (no reason recorded)" not in page
    assert "<h3>GP practice</h3>" in page and "<h3>Acute hospital</h3>" in page


def test_the_demo_shows_discrepancies_the_reconciled_list_and_the_passport(live_server: str, flask_cli: Cli) -> None:
    assert flask_cli("load-samples").returncode == 0
    _, _, page = get(f"{live_server}/patients/9991141707")
    assert "Discrepancies (3)" in page and "stopped-elsewhere" in page and "Reconciled list" in page
    status, kind, passport = get(f"{live_server}/patients/9991141707/passport")
    assert status == 200 and kind.startswith("text/html") and "My medication passport" in passport
    status, kind, _ = get(f"{live_server}/patients/9991141707/passport.pdf")
    assert (status, kind) == (200, "application/pdf")
