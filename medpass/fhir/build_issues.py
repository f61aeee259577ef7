"""Stored discrepancies as R4 DetectedIssues (with mitigations and Provenance), and a patient's searchset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.issue_lifecycle import IssueAction, StoredIssue
from medpass.domain.lines import FeedStatement
from medpass.domain.resolutions import Decision, ResolutionKind, decision_of
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.codes import (
    ACCEPTED_FEED_EXTENSION,
    CANONICAL_BASE,
    DEFINITIONS,
    DISCREPANCY_SYSTEM,
    INTENT_EXTENSION,
    KIND_EXTENSION,
    MEDICINE_EXTENSION,
    NEW_VERSION_EXTENSION,
    NEW_VERSION_PARTS,
    REASON_RECORDED_EXTENSION,
)

_ACTIVITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


_SAID = {ResolutionKind.MARK_STOPPED: "Marked stopped", ResolutionKind.MARK_ON_HOLD: "Marked on hold", ResolutionKind.DISMISS: "Dismissed"}


def _mitigation_text(decision: Decision) -> str:
    """One decision in words: what was decided (about which medicine), intended or not, and why."""
    if decision.kind is ResolutionKind.ACCEPT_FEED and decision.accepted_feed is not None:
        what = f"Accepted the {decision.accepted_feed.value} feed's version"
    elif decision.kind is ResolutionKind.NEW_VERSION and decision.new_version is not None:
        version = decision.new_version
        what = "Recorded a new version: " + ", ".join(part for part in (version.product, version.how_to_take) if part)
    else:
        what = _SAID.get(decision.kind, decision.kind.value)
    about = f" ({decision.medicine})" if decision.medicine else ""
    intent = f" ({decision.intent.value})" if decision.intent else ""
    return f"{what}{about}{intent}. {decision.reason}".strip()


def _mitigation_extensions(decision: Decision) -> list[dict[str, Any]]:
    """The decision as the extensions a client sends it with, so that what is read back can be sent again."""
    found: list[dict[str, Any]] = [{"url": KIND_EXTENSION, "valueCode": decision.kind.value}]
    if decision.accepted_feed is not None:
        found.append({"url": ACCEPTED_FEED_EXTENSION, "valueCode": decision.accepted_feed.value})
    if decision.intent is not None:
        found.append({"url": INTENT_EXTENSION, "valueCode": decision.intent.value})
    if decision.medicine:
        found.append({"url": MEDICINE_EXTENSION, "valueString": decision.medicine})
    version = decision.new_version
    if version is not None and version.product:
        parts = zip(NEW_VERSION_PARTS, (version.product, version.dose, version.frequency, version.route, version.text), strict=True)
        found.append({"url": NEW_VERSION_EXTENSION, "extension": [{"url": name, "valueString": value} for name, value in parts if value]})
    return found


def _mitigation(action: IssueAction) -> dict[str, Any]:
    """One resolve or dismiss as a DetectedIssue.mitigation."""
    decision = decision_of(action.action, action.recorded_by, action.recorded_at, action.details)
    return {"extension": _mitigation_extensions(decision), "action": {"text": _mitigation_text(decision)},
            "date": action.recorded_at.isoformat(), "author": {"display": action.recorded_by}}


def last_updated(issue: StoredIssue) -> datetime:
    """When the DetectedIssue last changed: found, or last acted on."""
    return max([issue.first_found_at, *(a.recorded_at for a in issue.actions)])


def detected_issue(issue: StoredIssue) -> dict[str, Any]:
    """One DetectedIssue: exactly one coding from medpass's CodeSystem, severity, implicated statements, detail."""
    display, _ = DEFINITIONS[DiscrepancyCode(issue.code)]
    resource: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "id": issue.resource_id,
        "meta": {"versionId": str(issue.version), "lastUpdated": last_updated(issue).isoformat()},
        "extension": [{"url": REASON_RECORDED_EXTENSION, "valueCode": "documented" if issue.documented else "undocumented"}],
        "status": issue.status.value,
        "code": {
            "coding": [{"system": DISCREPANCY_SYSTEM, "code": issue.code, "display": display}],
            "text": f"{display}: {issue.medicine}",
        },
        "severity": issue.severity,
        "patient": {"reference": f"Patient/{issue.patient_id}"},
        "identifiedDateTime": issue.first_found_at.isoformat(),
        "author": {"display": "medpass reconciliation"},
        "implicated": [{"reference": reference} for reference in issue.implicated],
        "detail": issue.detail,
    }
    mitigations = [_mitigation(a) for a in issue.actions if a.action in ("resolve", "dismiss")]
    if mitigations:
        resource["mitigation"] = mitigations
    return resource


def provenance(issue: StoredIssue, action: IssueAction, index: int) -> dict[str, Any]:
    """Who did what to a DetectedIssue, when and why."""
    return {
        "resourceType": "Provenance",
        "id": f"{issue.resource_id}-{index}",
        "target": [{"reference": f"DetectedIssue/{issue.resource_id}"}],
        "recorded": action.recorded_at.isoformat(),
        "activity": {"coding": [{"system": _ACTIVITY_SYSTEM, "code": "UPDATE", "display": "revise"}], "text": action.action},
        "reason": [{"text": action.details.get("reason", action.action)}],
        "agent": [{"who": {"display": action.recorded_by}}],
    }


def discrepancy_bundle(
    issues: tuple[StoredIssue, ...], statements: dict[str, FeedStatement], patient_id: int, at: datetime
) -> dict[str, Any]:
    """A searchset: the DetectedIssues (mode match) then every MedicationStatement they implicate (mode include)."""
    entries: list[dict[str, Any]] = [
        {"fullUrl": f"{CANONICAL_BASE}/DetectedIssue/{issue.resource_id}", "resource": detected_issue(issue), "search": {"mode": "match"}}
        for issue in issues
    ]
    for reference in dict.fromkeys(ref for issue in issues for ref in issue.implicated):
        if reference in statements:
            entries.append({"fullUrl": f"{CANONICAL_BASE}/{reference}",
                            "resource": medication_statement(statements[reference], f"Patient/{patient_id}"),
                            "search": {"mode": "include"}})
    return {"resourceType": "Bundle", "type": "searchset", "timestamp": at.isoformat(), "total": len(issues), "entry": entries}
