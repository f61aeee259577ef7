"""The reconciled list as a FHIR List of MedicationStatements pointing back at each feed's statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medpass.domain.reconciled_list import ReconciledLine
from medpass.fhir.build_statement import medication_statement

_STATUS = {"active": "active", "stopped": "stopped", "on-hold": "on-hold", "not current": "completed"}


def _side_by_side(line: ReconciledLine) -> str:
    """Each feed's version in one sentence."""
    parts = []
    for feed, version in line.versions.items():
        if version is None:
            parts.append(f"{feed.label}: not listed")
        else:
            entry = version.statement.entry
            parts.append(f"{feed.label}: {entry.medicine.name}, {entry.dosage_text or 'no dosage'} ({entry.status})")
    return "; ".join(parts)


def reconciled_list(lines: list[ReconciledLine], patient_id: int, at: datetime) -> dict[str, Any]:
    """A List (mode working) whose contained MedicationStatements are the agreed versions, derived from the feeds'."""
    contained, entries = [], []
    for index, line in enumerate(lines):
        if line.agreed is None:
            continue
        statement = medication_statement(line.agreed.statement, f"Patient/{patient_id}")
        statement["id"] = f"line-{index + 1}"
        statement["status"] = _STATUS.get(line.status, statement["status"])
        statement.pop("meta", None)
        statement["informationSource"] = {"display": f"Prescriber of record: {line.prescriber}"}
        statement["derivedFrom"] = [{"reference": v.statement.reference} for v in line.versions.values() if v is not None]
        notes = [{"text": f"Side by side: {_side_by_side(line)}."}]
        if line.last_change is not None:
            change = line.last_change
            notes.append({"text": f"Last change: {change.what} on {change.when} by {change.who}"
                                  f"{': ' + change.why if change.why else ' (no reason recorded)'}."})
        if line.open_issues:
            notes.append({"text": "Open discrepancies: " + ", ".join(f"DetectedIssue/{i}" for i in line.open_issues)})
        statement["note"] = notes
        contained.append(statement)
        entries.append({"item": {"reference": f"#{statement['id']}"}, "flag": {"text": line.status}})
    resource: dict[str, Any] = {
        "resourceType": "List",
        "status": "current",
        "mode": "working",
        "title": "Reconciled medication list",
        "code": {"text": "Reconciled medication list (GP practice, mental-health trust, acute hospital)"},
        "subject": {"reference": f"Patient/{patient_id}"},
        "date": at.isoformat(),
        "source": {"display": "medpass reconciliation"},
    }
    if contained:
        resource["contained"] = contained
        resource["entry"] = entries
    else:
        resource["emptyReason"] = {"text": "No medicines were listed by any feed"}
    return resource
