"""The command line as a user runs it: init-db, ingest, load-samples, discrepancies, passport, SMS."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import PatientRow, SmsOutboxRow, TaskRow
from tests.conftest import ROOT, shared_path
from tests.e2e.conftest import FLASK
from tests.fhir_schema import schema_errors
from tests.messages import bundle, encode, statement

Cli = Callable[..., subprocess.CompletedProcess[str]]


def test_init_db_creates_the_schema_and_is_safe_to_run_twice(flask_cli: Cli) -> None:
    first, second = flask_cli("init-db"), flask_cli("init-db")
    assert first.returncode == 0 and "upgraded from empty" in first.stdout
    assert second.returncode == 0 and "nothing to do" in second.stdout


def test_ingest_prints_one_summary_line_per_file(flask_cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(encode(bundle()))
    flask_cli("init-db")
    done = flask_cli("ingest", "--feed", "gp", str(good), str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{good}: accepted message 1 (gp, NHS number 9990000018): 1 medication(s)")
    assert lines[1] == f"{good}: duplicate of message 1 (gp, NHS number 9990000018): nothing changed"


def test_ingest_exits_non_zero_with_the_outcome_diagnostics_on_rejection(flask_cli: Cli, tmp_path: Path) -> None:
    bad_message = bundle()
    statement(bad_message)["status"] = "bogus"
    bad, good = tmp_path / "bad.json", tmp_path / "good.json"
    bad.write_bytes(encode(bad_message))
    good.write_bytes(encode(bundle()))
    flask_cli("init-db")
    done = flask_cli("ingest", "--feed", "gp", "--outcome-json", str(bad), str(good))
    assert done.returncode == 1
    assert f"{bad}: rejected, nothing stored:" in done.stdout
    assert "error at Bundle.entry[1].resource.status: MedicationStatement.status 'bogus'" in done.stdout
    assert f"{good}: accepted message" in done.stdout
    assert "1 of 2 file(s) rejected" in done.stderr
    outcome = json.loads(done.stdout[done.stdout.index("{"): done.stdout.rindex("}") + 1])
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[1].resource.status"]
    assert schema_errors(outcome) == []


def test_ingest_names_an_unknown_feed_and_a_missing_file(flask_cli: Cli, tmp_path: Path) -> None:
    flask_cli("init-db")
    good = tmp_path / "good.json"
    good.write_bytes(encode(bundle()))
    unknown = flask_cli("ingest", "--feed", "pharmacy", str(good))
    missing = flask_cli("ingest", "--feed", "gp", str(tmp_path / "nope.json"))
    assert unknown.returncode == 1 and "unknown feed 'pharmacy': the feeds are gp, mental-health, acute" in unknown.stdout
    assert missing.returncode == 1 and "cannot read the file" in missing.stdout
    assert "Traceback" not in unknown.stderr + missing.stderr


def test_ingest_reads_the_gp_connect_stu3_example(flask_cli: Cli) -> None:
    flask_cli("init-db")
    done = flask_cli("ingest", "--feed", "gp", str(shared_path("fhir/gp-connect/meds_response.json")))
    assert done.returncode == 0 and "NHS number 9999999999): 2 medication(s)" in done.stdout
    assert "repaired: a single object was sent where a list is required" in done.stdout


def test_load_samples_loads_every_demo_message_and_is_safe_to_run_twice(flask_cli: Cli) -> None:
    flask_cli("init-db")
    first, second = flask_cli("load-samples"), flask_cli("load-samples")
    assert first.returncode == 0 and second.returncode == 0, first.stdout + first.stderr
    assert first.stdout.count(": accepted message") >= 24 and ": duplicate" not in first.stdout
    assert second.stdout.count(": duplicate of message") == first.stdout.count(": accepted message")
    assert "09-discharge-without-medicines/acute.json: accepted message" in first.stdout
    assert "current medicines NOT KNOWN (the document has no medication section" in first.stdout


def test_ingest_before_init_db_says_what_to_do_instead_of_a_traceback(flask_cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(encode(bundle()))
    done = flask_cli("ingest", "--feed", "gp", str(good))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "error: the database has no medpass tables yet: run `flask --app medpass init-db`" in done.stderr


def test_discrepancies_prints_a_valid_searchset_of_detected_issues_and_what_they_implicate(flask_cli: Cli) -> None:
    flask_cli("init-db")
    flask_cli("load-samples")
    done = flask_cli("discrepancies", "--nhs-number", "9999986986")
    assert done.returncode == 0, done.stderr
    bundle = json.loads(done.stdout)
    issues = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    included = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert bundle["type"] == "searchset" and bundle["total"] == len(issues) == 4
    assert {i["code"]["coding"][0]["code"] for i in issues} == {"brand-switch", "interaction", "stopped-elsewhere", "monitoring-due"}
    implicated = {r["reference"] for i in issues for r in i["implicated"]}
    assert implicated == {f"MedicationStatement/{s['id']}" for s in included}
    assert all(schema_errors(resource) == [] for resource in [bundle, *issues, *included])


def test_discrepancies_for_an_unknown_patient_is_a_readable_error(flask_cli: Cli) -> None:
    flask_cli("init-db")
    done = flask_cli("discrepancies", "--nhs-number", "9990000018")
    assert done.returncode == 1 and "error: no patient with NHS number 9990000018" in done.stderr and "Traceback" not in done.stderr


def test_resolve_records_each_kind_of_decision_and_the_reconciled_list_shows_what_is_agreed(flask_cli: Cli) -> None:
    flask_cli("init-db")
    flask_cli("load-samples")
    lines = flask_cli("discrepancies", "--nhs-number", "9999986986", "--text").stdout.splitlines()
    held = next(line.split()[0] for line in lines if "stopped-elsewhere" in line)
    interaction = next(line.split()[0] for line in lines if " interaction " in line)
    refused = flask_cli("resolve", held, "--new-version", "--product", "Ramipril 2.5mg capsules", "--intent", "intentional",
                        "--reason", "Restart at a lower dose", "--by", "Pat Pharmacist")
    assert (refused.returncode, refused.stderr) == (1, "error: its dose is required; nothing changed\n")
    both = flask_cli("resolve", interaction, "--mark-stopped", "--accept-feed", "gp", "--intent", "intentional", "--reason", "x",
                     "--by", "Pat Pharmacist")
    assert (both.returncode, both.stderr) == (
        1, "error: say exactly one of --accept-feed, --new-version, --mark-stopped, --mark-on-hold or --dismiss; nothing changed\n")
    done = flask_cli("resolve", held, "--new-version", "--product", "Ramipril 2.5mg capsules", "--dose", "2.5 mg", "--frequency",
                     "each morning", "--route", "by mouth", "--text", "check U&E in a week", "--intent", "intentional", "--reason",
                     "Restart at a lower dose after the AKI", "--by", "Pat Pharmacist")
    assert done.returncode == 0 and done.stdout.startswith(f"{held}: resolved by Pat Pharmacist (new-version): ")
    listed = flask_cli("reconciled-list", "--nhs-number", "9999986986", "--text").stdout
    assert "Ramipril (agreed; prescriber GP practice (Sample Street Medical Centre))" in listed
    assert "agreed now: Agreed: Ramipril 2.5mg capsules: 2.5 mg each morning, by mouth. check U&E in a week (decided by Pat " \
           "Pharmacist on " in listed


def test_passport_writes_each_form_and_refuses_a_pdf_to_the_screen(flask_cli: Cli, tmp_path: Path) -> None:
    flask_cli("init-db")
    flask_cli("load-samples")
    for form in ("fhir", "html", "pdf"):
        out = tmp_path / f"passport.{form}"
        done = flask_cli("passport", "--nhs-number", "9991689761", "--format", form, "--output", str(out))
        assert done.returncode == 0 and f"passport version 1 for NHS number 9991689761 ({form}" in done.stdout
    assert (tmp_path / "passport.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((tmp_path / "passport.fhir").read_text())["type"] == "document"
    assert "Zuclopenthixol" in (tmp_path / "passport.html").read_text()
    to_screen = flask_cli("passport", "--nhs-number", "9991689761", "--format", "pdf")
    assert to_screen.returncode == 1 and "a PDF needs --output FILE" in to_screen.stderr


def test_create_client_prints_the_token_once_as_its_last_line(flask_cli: Cli) -> None:
    flask_cli("init-db")
    done = flask_cli("create-client", "--name", "Practice system", "--ods", "ZZG01", "--feed", "gp",
                     "--scope", "system/Bundle.c", "--scope", "system/Patient.rs")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    refused = flask_cli("create-client", "--name", "X", "--ods", "ZZG02", "--scope", "user/Patient.rs")
    assert refused.returncode == 1 and "not a SMART system scope" in refused.stderr


def test_sms_consent_test_and_dispatch_from_the_command_line(flask_cli: Cli, cli_env: dict[str, str]) -> None:
    assert flask_cli("init-db").returncode == 0 and flask_cli("load-samples").returncode == 0
    refused = flask_cli("sms-consent", "--nhs-number", "9999986986", "--opt-in", "--phone", "020 7946 0000", "--by", "Pharmacist A",
                        "--how", "in clinic")
    assert refused.returncode == 1 and "not a mobile number" in refused.stderr and "Traceback" not in refused.stderr
    consented = flask_cli("sms-consent", "--nhs-number", "9999986986", "--opt-in", "--phone", "07700 900123", "--by", "Pharmacist A",
                          "--how", "in clinic")
    assert consented.returncode == 0 and "opted-in recorded" in consented.stdout and "+447700900123" in consented.stdout
    assert flask_cli("sms-test", "--nhs-number", "9999986986").stdout.startswith("queued test message")
    remind = flask_cli("sms-remind", "--nhs-number", "9999986986", "--medicine", "Lithium carbonate", "--by", "Pharmacist A")
    assert remind.returncode == 0 and "reminders for Lithium carbonate at 22:00 (Europe/London)" in remind.stdout, remind.stderr
    not_taken = flask_cli("sms-remind", "--nhs-number", "9999986986", "--medicine", "Clozapine", "--by", "Pharmacist A")
    assert not_taken.returncode == 1 and "not a medicine the reconciled list has" in not_taken.stderr
    sent = flask_cli("sms-dispatch")
    assert sent.returncode == 0 and sent.stdout.startswith("1 sent"), sent.stdout + sent.stderr
    misconfigured = subprocess.run([*FLASK, "sms-dispatch"], env={**cli_env, "MEDPASS_SMS_GATEWAY": "twilio"}, cwd=ROOT,
                                   capture_output=True, text=True, timeout=60)
    assert misconfigured.returncode == 1 and "needs TWILIO_ACCOUNT_SID" in misconfigured.stderr


def _unanswered_reminders(session: Session, nhs_number: str, days_ago: list[int]) -> None:
    """Dose reminders that went out on those days and were never answered (the SMS round trip, already happened)."""
    patient = session.scalars(select(PatientRow.id).where(PatientRow.nhs_number == nhs_number)).one()
    now = datetime.now(UTC)
    for day in days_ago:
        sent_at = now - timedelta(days=day)
        session.add(SmsOutboxRow(patient_id=patient, idempotency_key=f"dose:earlier:{day}", kind="dose-reminder", body="Time.",
                                 segments=1, due_at=sent_at, valid_until=None, status="sent", attempts=1, next_attempt_at=sent_at,
                                 sent_at=sent_at, created_at=sent_at))
    session.commit()


def _missed_dose_tasks(session: Session) -> list[tuple[str, str | None, str, str]]:
    """Who was asked to contact the patient about missed doses, and what they were told."""
    session.rollback()
    found = select(TaskRow.owner_feed, TaskRow.owner_ods, TaskRow.owner_name, TaskRow.description).where(TaskRow.kind == "missed-doses")
    return sorted(session.execute(found.order_by(TaskRow.owner_feed)).tuples())


def test_sms_remind_raises_missed_dose_tasks_by_the_configured_rule_for_the_configured_trust(
    cli_env: dict[str, str], session: Session
) -> None:
    env = {**cli_env, "MEDPASS_TRUST_ODS": "RXX01", "MEDPASS_TRUST_NAME": "Eastside Mental Health NHS Trust", "MEDPASS_MISSED_DOSES": "5"}

    def flask(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*FLASK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert flask("init-db").returncode == 0 and flask("load-samples").returncode == 0
    assert flask("sms-consent", "--nhs-number", "9999986986", "--opt-in", "--phone", "07700 900123", "--by", "Pharmacist A",
                 "--how", "in clinic").returncode == 0
    _unanswered_reminders(session, "9999986986", [1, 2, 3, 4])
    lithium = flask("sms-remind", "--nhs-number", "9999986986", "--medicine", "Lithium carbonate", "--by", "Pharmacist A")
    assert lithium.returncode == 0, lithium.stderr
    assert _missed_dose_tasks(session) == []  # four missed: the default rule (three) would have called the team already

    _unanswered_reminders(session, "9999986986", [5])
    amlodipine = flask("sms-remind", "--nhs-number", "9999986986", "--medicine", "Amlodipine", "--by", "Pharmacist A")
    assert amlodipine.returncode == 0, amlodipine.stderr
    told = ("The patient has missed 5 doses in the last 7 days: they replied SKIP to their medicine reminders, or did not answer. "
            "Please contact them.")
    assert _missed_dose_tasks(session) == [("gp", "ZZG02", "Sample Street Medical Centre", told),
                                           ("mental-health", "RXX01", "Eastside Mental Health NHS Trust", told)]
