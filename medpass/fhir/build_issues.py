"""Stored discrepancies as R4 DetectedIssues (with mitigations and Provenance), and a patient's searchset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.issue_lifecycle import IssueAction, StoredIssue
from medpass.domain.lines import FeedStatement
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.codes import CANONICAL_BASE, DEFINITIONS, DISCREPANCY_SYSTEM, REASON_RECORDED_EXTENSION

_ACTIVITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"


def _mitigation_text(action: IssueAction) -> str:
    """One resolution in words: what was decided and why."""
    details = action.details
    if action.action == "dismiss":
        what = "Dismissed"
    elif details.get("accepted_feed"):
        what = f"Accepted the {details['accepted_feed']} feed's version"
    else:
        what = f"Recorded a new version: {details.get('new_version', '')}"
    intent = f" ({details['intent']})" if details.get("intent") else ""
    return f"{what}{intent}. {details.get('reason', '')}".strip()


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
    mitigations = [
        {"action": {"text": _mitigation_text(a)}, "date": a.recorded_at.isoformat(), "author": {"display": a.recorded_by}}
        for a in issue.actions
        if a.action in ("resolve", "dismiss")
    ]
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
