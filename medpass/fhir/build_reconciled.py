"""The reconciled list as a FHIR List of MedicationStatements pointing back at each feed's statement.

Each item's flag is its agreed state (medpass CodeSystem agreed-state); the contained statement is the agreed
version (or, for a medicine not agreed, the newest listing, with status `unknown`: never a medicine to take).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medpass.domain.agreement import AgreedState
from medpass.domain.reconciled_list import ReconciledLine
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.codes import AGREED_STATE_SYSTEM, AGREED_STATES

#: MedicationStatement.status for each agreed state (FHIR R4 medication-statement-status).
_STATUS = {AgreedState.AGREED: "active", AgreedState.CHANGED: "active", AgreedState.NOT_AGREED: "unknown",
           AgreedState.ON_HOLD: "on-hold", AgreedState.STOPPED: "stopped", AgreedState.COURSE_FINISHED: "completed"}


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


def _statement(line: ReconciledLine, patient_id: int) -> dict[str, Any]:
    """The agreed version as a MedicationStatement (a clinician's recorded version carries its own words)."""
    version = line.agreement.version
    source = version.source if version else None
    if source is not None and (version is None or version.recorded is None):
        statement = medication_statement(source.statement, f"Patient/{patient_id}")
        statement.pop("meta", None)
        statement.pop("id", None)
        return statement
    return {"resourceType": "MedicationStatement", "medicationCodeableConcept": {"text": version.product if version else line.name},
            "subject": {"reference": f"Patient/{patient_id}"},
            "dosage": [{"text": version.how_to_take}] if version and version.how_to_take else []}


def reconciled_list(lines: list[ReconciledLine], patient_id: int, at: datetime) -> dict[str, Any]:
    """A List (mode working) whose contained MedicationStatements are the agreed versions, derived from the feeds'."""
    contained, entries = [], []
    for index, line in enumerate(lines):
        statement = _statement(line, patient_id)
        statement["id"] = f"line-{index + 1}"
        statement["status"] = _STATUS[line.state]
        if not statement.get("dosage"):
            statement.pop("dosage", None)
        statement["informationSource"] = {"display": f"Prescriber of record: {line.prescriber}"}
        derived = [{"reference": v.statement.reference} for v in line.versions.values() if v is not None]
        if derived:
            statement["derivedFrom"] = derived
        notes = [{"text": f"Agreed now: {line.agreed_now}"}, {"text": f"Side by side: {_side_by_side(line)}."}]
        if line.monitor:
            notes.append({"text": f"Monitored by: {line.monitor}."})
        if line.last_change is not None:
            change = line.last_change
            notes.append({"text": f"Last change: {change.what} on {change.when} by {change.who}"
                                  f"{': ' + change.why if change.why else ' (no reason recorded)'}."})
        if line.open_issues:
            notes.append({"text": "Open discrepancies: " + ", ".join(f"DetectedIssue/{i}" for i in line.open_issues)})
        statement["note"] = notes
        contained.append(statement)
        display = AGREED_STATES[line.state.value][0]
        entries.append({"item": {"reference": f"#{statement['id']}"},
                        "flag": {"coding": [{"system": AGREED_STATE_SYSTEM, "code": line.state.value, "display": display}],
                                 "text": display}})
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
