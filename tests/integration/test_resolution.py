"""Resolving discrepancies: recorded with who, when and why; kept across re-ingest; reopened when the feeds change."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass.domain.agreement import AgreedState
from medpass.domain.errors import InvalidRequest, StaleVersion
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.resolutions import NewVersion, ResolutionKind, decide
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.build_issues import detected_issue, provenance
from medpass.services.ingest import ingest_message
from medpass.services.reconcile import reconcile_patient
from medpass.services.resolution import resolve_discrepancy
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, SAMPLES, snapshot
from tests.fhir_schema import schema_errors

LITHIUM_PATIENT = "9999986986"
GP_MESSAGE = SAMPLES / "02-lithium-brand-and-ramipril" / "gp.json"


@pytest.fixture
def ramipril_held(session: Session) -> StoredIssue:
    """The demo patient whose ramipril the hospital held while the GP still lists it."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    issues = reconcile_patient(session, LITHIUM_PATIENT, NOW, RECONCILIATION).issues
    return next(i for i in issues if i.code == "stopped-elsewhere")


def resolve(session: Session, issue: StoredIssue, kind: ResolutionKind = ResolutionKind.ACCEPT_FEED, *,
            expected_version: int | None = None, **kwargs: object) -> StoredIssue:
    """Decide (by default: accept the hospital's version, intentional, held for AKI) and record it."""
    arguments: dict[str, object] = {"by": "A. Pharmacist", "at": NOW + timedelta(hours=1), "reason": "Held for AKI",
                                    "intent": "intentional", "accepted_feed": "acute" if kind is ResolutionKind.ACCEPT_FEED else None}
    decision = decide(kind, **(arguments | kwargs))  # type: ignore[arg-type]
    return resolve_discrepancy(session, issue.resource_id, decision, expected_version=expected_version)


def agreed_state(session: Session, medicine: str) -> AgreedState:
    """The lithium patient's agreed state of one medicine, reconciled now."""
    found = reconcile_patient(session, LITHIUM_PATIENT, NOW + timedelta(hours=2), RECONCILIATION)
    return next(a.state for a in found.agreements if a.name == medicine)


def test_a_resolution_is_recorded_with_who_when_why_and_what_was_decided(session: Session, ramipril_held: StoredIssue) -> None:
    resolved = resolve(session, ramipril_held)
    assert resolved.status is IssueStatus.RESOLVED and resolved.resolution is not None
    assert resolved.resolution.recorded_by == "A. Pharmacist"
    assert resolved.resolution.details == {"kind": "accept-feed", "reason": "Held for AKI", "intent": "intentional",
                                           "accepted_feed": "acute"}
    resource = detected_issue(resolved)
    assert resource["status"] == "final" and resource["mitigation"][0]["action"]["text"] == (
        "Accepted the acute feed's version (intentional). Held for AKI")
    assert [e["url"].rsplit("/", 1)[1] for e in resource["mitigation"][0]["extension"]] == [
        "discrepancy-resolution-kind", "discrepancy-accepted-feed", "discrepancy-intent"]
    record = provenance(resolved, resolved.resolution, 1)
    assert schema_errors(resource) == [] and schema_errors(record) == []


@pytest.mark.parametrize(("kind", "details", "state"), [
    (ResolutionKind.ACCEPT_FEED, {}, AgreedState.ON_HOLD),
    (ResolutionKind.ACCEPT_FEED, {"accepted_feed": "gp"}, AgreedState.AGREED),
    (ResolutionKind.MARK_STOPPED, {}, AgreedState.STOPPED),
    (ResolutionKind.MARK_ON_HOLD, {}, AgreedState.ON_HOLD),
    (ResolutionKind.NEW_VERSION, {"new_version": NewVersion("Ramipril 2.5mg capsules", "2.5 mg", "each morning", "by mouth")},
     AgreedState.AGREED),
    (ResolutionKind.DISMISS, {"intent": None}, AgreedState.AGREED),
])
def test_each_kind_of_decision_sets_what_the_medicine_is_agreed_to_be(
        kind: ResolutionKind, details: dict[str, object], state: AgreedState, session: Session, ramipril_held: StoredIssue) -> None:
    resolve(session, ramipril_held, kind, **details)
    assert agreed_state(session, "Ramipril") is state


def test_a_decision_about_a_discrepancy_between_two_medicines_must_say_which_medicine(
        session: Session, engine: Engine, ramipril_held: StoredIssue) -> None:
    interaction = next(i for i in reconcile_patient(session, LITHIUM_PATIENT, NOW, RECONCILIATION).issues if i.code == "interaction")
    before = snapshot(engine)
    with pytest.raises(InvalidRequest) as refused:
        resolve(session, interaction, ResolutionKind.MARK_STOPPED)
    assert str(refused.value) == "this discrepancy is about Lithium carbonate and Ramipril: say which medicine the decision is about"
    with pytest.raises(InvalidRequest) as refused:
        resolve(session, interaction, ResolutionKind.MARK_STOPPED, medicine="Amlodipine")
    assert str(refused.value) == "'Amlodipine' is not a medicine this discrepancy is about: Lithium carbonate, Ramipril"
    assert snapshot(engine) == before
    resolve(session, interaction, ResolutionKind.MARK_STOPPED, medicine="ramipril", reason="ACE inhibitor stopped: lithium")
    assert (agreed_state(session, "Ramipril"), agreed_state(session, "Lithium carbonate")) == (AgreedState.STOPPED,
                                                                                               AgreedState.NOT_AGREED)


def test_a_resolution_survives_re_ingest_of_the_same_data(session: Session, ramipril_held: StoredIssue) -> None:
    resolve(session, ramipril_held)
    load_samples(session, SAMPLES, now=lambda: NOW + timedelta(days=1), max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None,
                 settings=RECONCILIATION)
    again = reconcile_patient(session, LITHIUM_PATIENT, NOW + timedelta(days=1), RECONCILIATION).issues
    assert next(i for i in again if i.resource_id == ramipril_held.resource_id).status is IssueStatus.RESOLVED


def test_a_resolution_reopens_when_the_feeds_change(session: Session, ramipril_held: StoredIssue) -> None:
    resolve(session, ramipril_held)
    message = json.loads(GP_MESSAGE.read_text())
    message["timestamp"] = "2026-03-01T09:00:00+00:00"
    ramipril = next(e["resource"] for e in message["entry"] if "Ramipril" in json.dumps(e["resource"].get("medicationCodeableConcept")))
    ramipril["dosage"][0]["text"] = "Two capsules each morning"
    ingest_message(session, "gp", json.dumps(message).encode(), sender="test", now=NOW + timedelta(days=2), max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    reopened = next(i for i in reconcile_patient(session, LITHIUM_PATIENT, NOW + timedelta(days=2), RECONCILIATION).issues
                    if i.resource_id == ramipril_held.resource_id)
    assert reopened.status is IssueStatus.OPEN and [a.action for a in reopened.actions] == ["resolve", "reopen"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "  "}, "a reason (say why) is required"),
        ({"intent": None}, "say whether the difference was intentional or unintentional"),
        ({"accepted_feed": None}, "the feed whose version is accepted is required"),
        ({"new_version": NewVersion("Ramipril 2.5mg", "2.5 mg", "daily", "oral")}, "a new version is only recorded by new-version"),
        ({"by": ""}, "who is recording this is required"),
    ],
)
def test_an_incomplete_resolution_is_refused_and_changes_nothing(
    change: dict[str, object], message: str, session: Session, engine: Engine, ramipril_held: StoredIssue
) -> None:
    before = snapshot(engine)
    with pytest.raises(InvalidRequest) as refused:
        resolve(session, ramipril_held, **change)
    assert str(refused.value) == message and snapshot(engine) == before


def test_a_closed_discrepancy_cannot_be_resolved_twice(session: Session, ramipril_held: StoredIssue) -> None:
    resolve(session, ramipril_held)
    with pytest.raises(InvalidRequest, match="already resolved"):
        resolve(session, ramipril_held, ResolutionKind.DISMISS, intent=None)


def test_a_resolution_naming_a_version_already_passed_is_refused_and_changes_nothing(
    session: Session, engine: Engine, ramipril_held: StoredIssue
) -> None:
    resolve(session, ramipril_held, expected_version=1)
    before = snapshot(engine)
    with pytest.raises(StaleVersion, match=f'If-Match names version 1; DetectedIssue/{ramipril_held.resource_id} is at W/"2"'):
        resolve(session, ramipril_held, ResolutionKind.DISMISS, intent=None, expected_version=1)
    assert snapshot(engine) == before
