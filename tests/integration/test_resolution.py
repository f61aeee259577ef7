"""Resolving discrepancies: recorded with who, when and why; kept across re-ingest; reopened when the feeds change."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass.domain.errors import InvalidRequest, StaleVersion
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
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


def resolve(session: Session, issue: StoredIssue, **kwargs: object) -> StoredIssue:
    """Resolve with sensible defaults."""
    arguments: dict[str, object] = {"by": "A. Pharmacist", "now": NOW + timedelta(hours=1), "expected_version": None,
                                    "reason": "Held for AKI", "intent": "intentional", "accept_feed": "acute"} | kwargs
    return resolve_discrepancy(session, issue.resource_id, **arguments)  # type: ignore[arg-type]


def test_a_resolution_is_recorded_with_who_when_why_and_what_was_decided(session: Session, ramipril_held: StoredIssue) -> None:
    resolved = resolve(session, ramipril_held)
    assert resolved.status is IssueStatus.RESOLVED and resolved.resolution is not None
    assert resolved.resolution.recorded_by == "A. Pharmacist"
    assert resolved.resolution.details == {"reason": "Held for AKI", "intent": "intentional", "accepted_feed": "acute"}
    resource = detected_issue(resolved)
    mitigation = resource["mitigation"][0]["action"]["text"]
    assert resource["status"] == "final" and "Accepted the acute feed's version (intentional)" in mitigation
    record = provenance(resolved, resolved.resolution, 1)
    assert schema_errors(resource) == [] and schema_errors(record) == []


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
        ({"reason": "  "}, "a reason is required"),
        ({"intent": None}, "intentional or unintentional"),
        ({"accept_feed": None}, "exactly one of"),
        ({"new_version": "Ramipril 2.5mg"}, "exactly one of"),
        ({"by": ""}, "say who"),
    ],
)
def test_an_incomplete_resolution_is_refused_and_changes_nothing(
    change: dict[str, object], message: str, session: Session, engine: Engine, ramipril_held: StoredIssue
) -> None:
    before = snapshot(engine)
    with pytest.raises(InvalidRequest, match=message):
        resolve(session, ramipril_held, **change)
    assert snapshot(engine) == before


def test_a_closed_discrepancy_cannot_be_resolved_twice(session: Session, ramipril_held: StoredIssue) -> None:
    resolve(session, ramipril_held)
    with pytest.raises(InvalidRequest, match="already resolved"):
        resolve(session, ramipril_held, accept_feed=None, dismiss=True, intent=None)


def test_a_resolution_naming_a_version_already_passed_is_refused_and_changes_nothing(
    session: Session, engine: Engine, ramipril_held: StoredIssue
) -> None:
    resolve(session, ramipril_held, expected_version=1)
    before = snapshot(engine)
    with pytest.raises(StaleVersion, match=f'If-Match names version 1; DetectedIssue/{ramipril_held.resource_id} is at W/"2"'):
        resolve(session, ramipril_held, accept_feed=None, dismiss=True, intent=None, expected_version=1)
    assert snapshot(engine) == before
