"""Command line (Flask commands): init-db, ingest, load-samples, discrepancies, resolve, reconciled-list, passport,
create-client, tasks, push-notifications, scheduler, sms-consent, sms-test, sms-remind, sms-dispatch."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app

from medpass.config import Config
from medpass.domain.contacts import ConsentChange
from medpass.domain.errors import InvalidRequest, MessageRejected, NotFound, StorageUnavailable
from medpass.domain.feeds import Feed
from medpass.domain.reconciled_list import reconciled_lines
from medpass.domain.resolutions import NewVersion, ResolutionKind, decide
from medpass.domain.tasks import TaskStatus
from medpass.fhir.build_issues import discrepancy_bundle
from medpass.fhir.build_passport import passport_document
from medpass.fhir.build_reconciled import reconciled_list
from medpass.fhir.outcome import operation_outcome
from medpass.jobs import build_scheduler
from medpass.push.rest_hook import send
from medpass.render.passport_html import passport_html
from medpass.render.passport_pdf import passport_pdf
from medpass.services.clients import create_client
from medpass.services.database import init_database
from medpass.services.ingest import ingest_message
from medpass.services.passport import make_passport
from medpass.services.reconcile import PatientReconciliation, reconcile_patient
from medpass.services.reminders import create_plan, plan_reminders
from medpass.services.resolution import resolve_discrepancy
from medpass.services.samples import load_samples
from medpass.services.sms import dispatch, queue_test_message, record_consent, recover_stale
from medpass.services.subscriptions import deliver_due
from medpass.services.tasks import search_tasks
from medpass.sms.gateway import gateway_from


def _medpass() -> dict[str, Any]:
    """The app's medpass wiring (config, engine, sessionmaker)."""
    wiring: dict[str, Any] = current_app.extensions["medpass"]
    return wiring


def _now() -> datetime:
    """The clock of the command line: aware UTC."""
    return datetime.now(UTC)


def _rejection_lines(rejection: MessageRejected) -> list[str]:
    """The OperationOutcome's diagnostics, one line per issue."""
    return [f"  {issue.describe()}" for issue in rejection.issues]


@click.command("init-db")
def init_db_command() -> None:
    """Create the database schema or upgrade it to the newest revision (safe to run twice)."""
    before, after = init_database(_medpass()["engine"])
    if before == after:
        click.echo(f"database already at revision {after}: nothing to do")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to revision {after}")


@click.command("ingest")
@click.option("--feed", required=True, help="gp, mental-health or acute")
@click.option("--sender", default=None, help="who sent the message (default: cli:<your user name>)")
@click.option("--fhir-version", default=None, help="declare the FHIR version (4.0.1, or 3.0.2 for GP Connect)")
@click.option("--outcome-json", is_flag=True, help="on rejection, also print the OperationOutcome as JSON")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def ingest_command(feed: str, sender: str | None, fhir_version: str | None, outcome_json: bool, files: tuple[Path, ...]) -> None:
    """Ingest FHIR feed messages, one summary line per file; exits 1 if any file was rejected."""
    wiring = _medpass()
    config: Config = wiring["config"]
    who = sender or f"cli:{getpass.getuser()}"
    failed = 0
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            click.echo(f"{path}: rejected: cannot read the file ({exc.strerror})")
            failed += 1
            continue
        with wiring["sessions"]() as session:
            try:
                result = ingest_message(
                    session, feed, raw, sender=who, now=_now(), max_bytes=config.max_message_bytes, fhir_version=fhir_version,
                    network=config.care_network, public_base_url=config.public_base_url, settings=config.reconciliation,
                )
            except MessageRejected as rejection:
                failed += 1
                click.echo(f"{path}: rejected, nothing stored:")
                click.echo("\n".join(_rejection_lines(rejection)))
                if outcome_json:
                    click.echo(json.dumps(operation_outcome(rejection.issues), indent=2))
                continue
        click.echo(f"{path}: {result.summary()}")
        for issue in () if result.duplicate else result.warnings:
            click.echo(f"  {issue.describe()}")
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) rejected", err=True)
        sys.exit(1)


@click.command("load-samples")
def load_samples_command() -> None:
    """Load the demo patients from fhir_samples/ (safe to run twice)."""
    wiring = _medpass()
    config: Config = wiring["config"]
    with wiring["sessions"]() as session:
        outcomes = load_samples(session, config.samples_dir, now=_now, max_bytes=config.max_message_bytes,
                                network=config.care_network, public_base_url=config.public_base_url,
                                settings=config.reconciliation)
    rejected = [o for o in outcomes if o.rejection is not None]
    for outcome in outcomes:
        name = outcome.path.relative_to(config.samples_dir)
        if outcome.result is not None:
            click.echo(f"{name}: {outcome.result.summary()}")
        elif outcome.rejection is not None:
            click.echo(f"{name}: rejected:")
            click.echo("\n".join(_rejection_lines(outcome.rejection)))
    click.echo(f"{len(outcomes) - len(rejected)} sample message(s) loaded or already present, {len(rejected)} rejected")
    if not outcomes:
        click.echo(f"no sample messages found in {config.samples_dir}", err=True)
        sys.exit(1)
    if rejected:
        sys.exit(1)


def _reconciled(nhs_number: str, now: datetime) -> PatientReconciliation:
    """Reconcile one patient now, or end the command with one line if the patient is unknown."""
    with _medpass()["sessions"]() as session:
        try:
            return reconcile_patient(session, nhs_number, now, _medpass()["config"].reconciliation)
        except NotFound as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.command("discrepancies")
@click.option("--nhs-number", required=True, help="the patient's NHS number")
@click.option("--text", "as_text", is_flag=True, help="one line per discrepancy instead of the FHIR Bundle")
def discrepancies_command(nhs_number: str, as_text: bool) -> None:
    """Print a patient's discrepancies as a FHIR searchset Bundle (DetectedIssues, then what they implicate)."""
    now = _now()
    found = _reconciled(nhs_number, now)
    if as_text:
        for issue in found.issues:
            recorded = "reason recorded" if issue.documented else "no reason recorded"
            state = issue.status.name.lower()
            click.echo(f"{issue.resource_id}  {state:9} {issue.severity:8} {issue.code:20} {recorded:18} {issue.detail}")
        click.echo(f"{len(found.issues)} discrepancies for NHS number {found.patient.nhs_number}")
        return
    click.echo(json.dumps(discrepancy_bundle(found.issues, found.statements, found.patient.id, now), indent=2))


def _kind_of(accept_feed: str | None, new_version: bool, mark_stopped: bool, mark_on_hold: bool, dismiss: bool) -> ResolutionKind:
    """The one kind of decision the options ask for, or InvalidRequest."""
    chosen = [kind for kind, asked in ((ResolutionKind.ACCEPT_FEED, accept_feed is not None), (ResolutionKind.NEW_VERSION, new_version),
                                      (ResolutionKind.MARK_STOPPED, mark_stopped), (ResolutionKind.MARK_ON_HOLD, mark_on_hold),
                                      (ResolutionKind.DISMISS, dismiss)) if asked]
    if len(chosen) != 1:
        raise InvalidRequest("say exactly one of --accept-feed, --new-version, --mark-stopped, --mark-on-hold or --dismiss")
    return chosen[0]


@click.command("resolve")
@click.argument("issue_id")
@click.option("--accept-feed", type=click.Choice([f.value for f in Feed]), help="accept this feed's version")
@click.option("--new-version", is_flag=True, help="record a new agreed version: --product, --dose, --frequency, --route [--text]")
@click.option("--mark-stopped", is_flag=True, help="the medicine is stopped")
@click.option("--mark-on-hold", is_flag=True, help="the medicine is paused: not to be taken until restarted")
@click.option("--dismiss", is_flag=True, help="dismiss: not a real difference")
@click.option("--product", help="the new version's product, e.g. 'Sertraline 100mg tablets'")
@click.option("--dose", help="the new version's dose, e.g. '100 mg'")
@click.option("--frequency", help="how often, e.g. 'each morning'")
@click.option("--route", help="the route, e.g. 'by mouth'")
@click.option("--text", help="more words for the new version (optional)")
@click.option("--medicine", help="which medicine the decision is about, when the discrepancy is about several")
@click.option("--intent", type=click.Choice(["intentional", "unintentional"]), help="was the difference intended?")
@click.option("--reason", required=True, help="why")
@click.option("--by", "who", required=True, help="who is recording this (name and role)")
def resolve_command(issue_id: str, accept_feed: str | None, new_version: bool, mark_stopped: bool, mark_on_hold: bool, dismiss: bool,
                    product: str | None, dose: str | None, frequency: str | None, route: str | None, text: str | None,
                    medicine: str | None, intent: str | None, reason: str, who: str) -> None:
    """Record what was decided about a discrepancy (its id is the first column of `discrepancies --text`)."""
    wiring = _medpass()
    with wiring["sessions"]() as session:
        try:
            kind = _kind_of(accept_feed, new_version, mark_stopped, mark_on_hold, dismiss)
            version = (NewVersion(product or "", dose or "", frequency or "", route or "", text)
                       if new_version or any((product, dose, frequency, route, text)) else None)
            decision = decide(kind, reason=reason, by=who, at=_now(), intent=intent, accepted_feed=accept_feed, new_version=version,
                              medicine=medicine)
            issue = resolve_discrepancy(session, issue_id, decision, expected_version=None)
        except (NotFound, InvalidRequest) as exc:
            click.echo(f"error: {exc}; nothing changed", err=True)
            sys.exit(1)
    click.echo(f"{issue.resource_id}: {issue.status.name.lower()} by {who} ({kind.value}): {issue.detail}")


@click.command("passport")
@click.option("--nhs-number", required=True, help="the patient's NHS number")
@click.option("--format", "form", type=click.Choice(["fhir", "html", "pdf"]), default="fhir", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="write to this file instead of the screen")
def passport_command(nhs_number: str, form: str, output: Path | None) -> None:
    """Make the patient's medication passport as a FHIR document, a printable HTML page or a PDF."""
    wiring = _medpass()
    with wiring["sessions"]() as session:
        try:
            passport = make_passport(session, nhs_number, _now(), wiring["config"].reconciliation)
        except NotFound as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    if form == "pdf":
        content: bytes = passport_pdf(passport)
    elif form == "html":
        content = passport_html(passport).encode()
    else:
        content = json.dumps(passport_document(passport), indent=2).encode()
    if output is None:
        if form == "pdf":
            click.echo("error: a PDF needs --output FILE", err=True)
            sys.exit(1)
        click.echo(content.decode())
        return
    output.write_bytes(content)
    click.echo(f"{output}: passport version {passport.version} for NHS number {passport.nhs_number} ({form}, {len(content)} bytes)")


@click.command("reconciled-list")
@click.option("--nhs-number", required=True, help="the patient's NHS number")
@click.option("--text", "as_text", is_flag=True, help="a table for people instead of the FHIR List")
def reconciled_list_command(nhs_number: str, as_text: bool) -> None:
    """Print the reconciled list: each feed's version side by side and the agreed current version."""
    now = _now()
    found = _reconciled(nhs_number, now)
    practice = found.patient.gp_practice_name or found.patient.gp_practice_ods or "GP practice"
    lines = reconciled_lines(found.agreements, practice)
    if not as_text:
        click.echo(json.dumps(reconciled_list(lines, found.patient.id, now), indent=2))
        return
    for line in lines:
        flag = f"  [{len(line.open_issues)} open discrepancies]" if line.open_issues else ""
        monitor = f"; monitored by {line.monitor}" if line.monitor else ""
        click.echo(f"{line.name} ({line.state.value}; prescriber {line.prescriber}{monitor}){flag}\n  agreed now: {line.agreed_now}")
        for feed, version in line.versions.items():
            text = f"{version.statement.entry.medicine.name}, {version.statement.entry.dosage_text} ({version.statement.entry.status})" \
                if version else "not listed"
            click.echo(f"  {feed.value:14} {text}")


@click.command("create-client")
@click.option("--name", required=True, help="the calling system, as people know it")
@click.option("--ods", "ods_code", required=True, help="its organisation's ODS code")
@click.option("--feed", type=click.Choice([f.value for f in Feed]), help="the one feed it may write")
@click.option("--scope", "scopes", multiple=True, help="a SMART system scope, e.g. system/MedicationStatement.rs (repeat)")
def create_client_command(name: str, ods_code: str, feed: str | None, scopes: tuple[str, ...]) -> None:
    """Register a FHIR API client; its bearer token is printed once, as the last line, and only its hash is kept."""
    with _medpass()["sessions"]() as session:
        try:
            client, token = create_client(session, name=name, ods_code=ods_code, feed=feed, scopes=list(scopes), now=_now())
        except InvalidRequest as exc:
            click.echo(f"error: {exc}; nothing was registered", err=True)
            sys.exit(1)
    click.echo(f"client {client.client_id}: {client.name} ({client.ods_code}), feed {client.feed or 'none'}, "
               f"scopes {' '.join(scopes)}")
    click.echo("the bearer token below is shown once and cannot be recovered; store it now:")
    click.echo(token)


class _MedpassCommand(click.Command):
    """A command whose database failures end it with one readable line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorageUnavailable as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # never a stack trace for a user: one line, and nothing half-stored
            click.echo(f"error: medpass failed unexpectedly ({type(exc).__name__}: {exc}); nothing was stored", err=True)
            sys.exit(2)


@click.command("tasks")
@click.option("--owner", "owner_ods", help="the partner's ODS code (e.g. a GP practice's)")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in TaskStatus]), help="repeat for several")
@click.option("--overdue", is_flag=True, help="only requested Tasks past their due time")
def tasks_command(owner_ods: str | None, statuses: tuple[str, ...], overdue: bool) -> None:
    """List change-notification Tasks, oldest first: who must act, on what, by when."""
    now = _now()
    with _medpass()["sessions"]() as session:
        found = search_tasks(session, now, owner_ods=owner_ods, statuses=statuses, overdue=overdue)
    for task in found:
        late = " OVERDUE" if task.overdue(now) else ""
        click.echo(f"Task/{task.id} [{task.status.value}{late}] {task.owner.name} ({task.owner.ods_code or 'no ODS code'}), "
                   f"due {task.due_at:%Y-%m-%d %H:%M} UTC, Patient/{task.patient_id}: {task.description}")
    click.echo(f"{len(found)} task(s)" + (" overdue" if overdue else ""))


@click.command("push-notifications")
@click.option("--limit", default=100, show_default=True, help="most pushes in this pass")
def push_notifications_command(limit: int) -> None:
    """Push the due Subscription notifications once (failures are retried later with backoff)."""
    config: Config = _medpass()["config"]
    with _medpass()["sessions"]() as session:
        report = deliver_due(session, _now(), lambda push: send(push, config.push_timeout_seconds), limit)
    click.echo(f"{report.delivered} delivered, {report.failed} failed (to be retried), {report.superseded} superseded")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler in this process until stopped (Ctrl+C): pushes Subscription notifications, dispatches SMS."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # medpass logs what its jobs did; not every run
    try:
        scheduler = build_scheduler(_medpass())
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    config: Config = _medpass()["config"]
    click.echo(f"medpass scheduler: pushing notifications every {config.push_interval_seconds:g} s, dispatching SMS every "
               f"{config.sms_dispatch_seconds:g} s through the {config.sms_gateway} gateway (Ctrl+C stops)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("medpass scheduler stopped")


@click.command("sms-consent")
@click.option("--nhs-number", required=True)
@click.option("--opt-in/--opt-out", "opt_in", required=True, help="record consent to SMS, or its withdrawal")
@click.option("--phone", help="the patient's mobile number (needed to opt in the first time)")
@click.option("--by", "recorded_by", required=True, help="who recorded it")
@click.option("--how", required=True, help="how it was given, e.g. 'in clinic, verbally'")
@click.option("--show-medicine-names/--hide-medicine-names", default=None, help="the patient chose to see medicine names")
def sms_consent_command(nhs_number: str, opt_in: bool, phone: str | None, recorded_by: str, how: str,
                        show_medicine_names: bool | None) -> None:
    """Record a patient's consent to SMS (with their mobile number) or their opt-out."""
    change = ConsentChange.OPTED_IN if opt_in else ConsentChange.OPTED_OUT
    with _medpass()["sessions"]() as session:
        try:
            contact = record_consent(session, nhs_number, change=change, phone=phone, recorded_by=recorded_by, how=how, now=_now(),
                                     show_medicine_names=show_medicine_names)
        except (InvalidRequest, NotFound) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    click.echo(f"{change.value} recorded for NHS number {nhs_number}" + (f" ({contact.phone})" if contact else ""))


@click.command("sms-test")
@click.option("--nhs-number", required=True)
def sms_test_command(nhs_number: str) -> None:
    """Queue one test message to the patient now (sent by the next dispatch, if they have consented)."""
    with _medpass()["sessions"]() as session:
        try:
            message_id, _ = queue_test_message(session, nhs_number, _now())
        except NotFound as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    click.echo(f"queued test message {message_id}")


@click.command("sms-remind")
@click.option("--nhs-number", required=True)
@click.option("--medicine", required=True, help="as the reconciled list names it, e.g. 'Lithium carbonate'")
@click.option("--time", "times", multiple=True, help="a local time, HH:MM (repeat); default: from the dosage")
@click.option("--by", "created_by", required=True, help="who set it up")
def sms_remind_command(nhs_number: str, medicine: str, times: tuple[str, ...], created_by: str) -> None:
    """Set up dose reminders for a medicine the patient takes (sent only with their consent)."""
    wiring = _medpass()
    config: Config = wiring["config"]
    settings = config.reconciliation
    with wiring["sessions"]() as session:
        try:
            plan = create_plan(session, nhs_number, medicine, list(times), by=created_by, now=_now(), settings=settings)
        except (InvalidRequest, NotFound) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        queued = plan_reminders(session, _now(), rule=config.missed_doses, network=config.care_network, settings=settings).queued
    click.echo(f"reminders for {plan.medicine} at {', '.join(plan.times)} (Europe/London); {queued} queued for the next 24 hours")


@click.command("sms-dispatch")
@click.option("--limit", default=100, show_default=True)
def sms_dispatch_command(limit: int) -> None:
    """One dispatch pass: send the due SMS through the configured gateway."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        gateway = gateway_from(_medpass()["config"])
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    with _medpass()["sessions"]() as session:
        stale = recover_stale(session, _now())
        report = dispatch(session, gateway, _now(), worker=f"cli:{getpass.getuser()}", limit=limit)
    click.echo(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed, {report.dropped} dropped (too late), "
               f"{report.cancelled} cancelled (no consent), {report.unknown + stale} unknown (check before resending)")


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask --app medpass`."""
    for command in (init_db_command, ingest_command, load_samples_command, discrepancies_command, resolve_command,
                    passport_command, reconciled_list_command, create_client_command, tasks_command, push_notifications_command,
                    scheduler_command, sms_consent_command, sms_test_command, sms_dispatch_command, sms_remind_command):
        command.__class__ = _MedpassCommand
        app.cli.add_command(command)
