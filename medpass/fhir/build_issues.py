"""Discrepancies as R4 DetectedIssues, and a patient's issues as a searchset Bundle with what they implicate."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from medpass.domain.discrepancies import Discrepancy
from medpass.domain.lines import FeedStatement
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.codes import CANONICAL_BASE, DEFINITIONS, DISCREPANCY_SYSTEM, REASON_RECORDED_EXTENSION

#: DetectedIssue.status for an open discrepancy (R4 observation-status: preliminary = not yet resolved).
OPEN_STATUS = "preliminary"


def issue_id(discrepancy: Discrepancy, patient_id: int) -> str:
    """A stable id: the same discrepancy for the same patient has the same id after every re-ingest."""
    return hashlib.sha256(f"{patient_id}|{discrepancy.key}".encode()).hexdigest()[:32]


def detected_issue(discrepancy: Discrepancy, patient_id: int, identified: datetime, status: str = OPEN_STATUS) -> dict[str, Any]:
    """One DetectedIssue: exactly one coding from medpass's CodeSystem, severity, implicated statements, detail."""
    display, _ = DEFINITIONS[discrepancy.code]
    return {
        "resourceType": "DetectedIssue",
        "id": issue_id(discrepancy, patient_id),
        "extension": [{"url": REASON_RECORDED_EXTENSION, "valueCode": "documented" if discrepancy.documented else "undocumented"}],
        "status": status,
        "code": {"coding": [{"system": DISCREPANCY_SYSTEM, "code": discrepancy.code.value, "display": display}],
                 "text": f"{display}: {discrepancy.medicine}"},
        "severity": discrepancy.harm.value,
        "patient": {"reference": f"Patient/{patient_id}"},
        "identifiedDateTime": identified.isoformat(),
        "author": {"display": "medpass reconciliation"},
        "implicated": [{"reference": reference} for reference in discrepancy.implicated],
        "detail": discrepancy.detail,
    }


def discrepancy_bundle(
    discrepancies: tuple[Discrepancy, ...], statements: dict[str, FeedStatement], patient_id: int, identified: datetime
) -> dict[str, Any]:
    """A searchset: the DetectedIssues (mode match) then every MedicationStatement they implicate (mode include)."""
    entries: list[dict[str, Any]] = []
    for discrepancy in discrepancies:
        resource = detected_issue(discrepancy, patient_id, identified)
        entries.append({"fullUrl": f"{CANONICAL_BASE}/DetectedIssue/{resource['id']}", "resource": resource,
                        "search": {"mode": "match"}})
    included = dict.fromkeys(ref for d in discrepancies for ref in d.implicated)
    for reference in included:
        entries.append({"fullUrl": f"{CANONICAL_BASE}/{reference}",
                        "resource": medication_statement(statements[reference], f"Patient/{patient_id}"),
                        "search": {"mode": "include"}})
    return {"resourceType": "Bundle", "type": "searchset", "timestamp": identified.isoformat(), "total": len(discrepancies),
            "entry": entries}
