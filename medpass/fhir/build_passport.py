"""The passport as a FHIR R4 document Bundle: Composition first, then everything its sections reference."""

from __future__ import annotations

import html
import uuid
from typing import Any

from medpass.domain.passport import Passport, PassportMedicine
from medpass.fhir.codes import CANONICAL_BASE

_LOINC = "http://loinc.org"


def _urn(passport: Passport, *parts: object) -> str:
    """A stable urn:uuid for one resource of one passport version."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(map(str, (passport.nhs_number, passport.version, *parts))))}"


def _div(lines: list[str]) -> dict[str, str]:
    """Section narrative as XHTML."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines) or "<li>None recorded.</li>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>'}


def _statement(passport: Passport, medicine: PassportMedicine, index: int, patient: str, status: str) -> dict[str, Any]:
    """One passport medicine as a MedicationStatement derived from the feed statement it came from."""
    concept: dict[str, Any] = {"text": medicine.name}
    if medicine.codes:
        concept["coding"] = [{"system": s, "code": c, **({"display": d} if d else {})} for s, c, d in medicine.codes]
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": status,
        "medicationCodeableConcept": concept,
        "subject": {"reference": patient},
        "dosage": [{"text": medicine.how_to_take}],
        "note": [{"text": f"Prescribed by {medicine.prescribed_by}."}],
    }
    if medicine.source:
        resource["derivedFrom"] = [{"reference": medicine.source}]
    if medicine.stopped_reason:
        resource["statusReason"] = [{"text": medicine.stopped_reason}]
    if medicine.what_for:
        resource["reasonCode"] = [{"text": medicine.what_for}]
    return resource


def passport_document(passport: Passport) -> dict[str, Any]:
    """A document Bundle: Composition (sections: current medicines, changes, cannot take, monitoring, contacts)."""
    patient_url = _urn(passport, "patient")
    entries: list[dict[str, Any]] = [{"fullUrl": patient_url, "resource": {
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": passport.nhs_number}],
        "name": [{"text": passport.name}],
        **({"birthDate": passport.birth_date} if passport.birth_date else {}),
    }}]
    current_refs, stopped_refs = [], []
    for index, medicine in enumerate(passport.medicines):
        url = _urn(passport, "medicine", index)
        entries.append({"fullUrl": url, "resource": _statement(passport, medicine, index, patient_url, "active")})
        current_refs.append({"reference": url})
    for index, medicine in enumerate(passport.stopped):
        url = _urn(passport, "stopped", index)
        entries.append({"fullUrl": url, "resource": _statement(passport, medicine, index, patient_url, "stopped")})
        stopped_refs.append({"reference": url})
    allergy_refs = []
    for index, allergy in enumerate(passport.allergies):
        url = _urn(passport, "allergy", index)
        entries.append({"fullUrl": url, "resource": {
            "resourceType": "AllergyIntolerance", "patient": {"reference": patient_url}, "code": {"text": allergy.substance},
            "reaction": [{"manifestation": [{"text": allergy.reaction}]}]}})
        allergy_refs.append({"reference": url})
    sections = [
        {"title": "Current medicines", "code": {"coding": [{"system": _LOINC, "code": "10160-0"}]},
         "text": _div([f"{m.name}: {m.how_to_take} (prescribed by {m.prescribed_by})" for m in passport.medicines]),
         **({"entry": current_refs} if current_refs else {"emptyReason": {"text": "No current medicines were listed"}})},
        {"title": "Changes since your last passport", "text": _div(list(passport.changes_since_last) or ["This is your first passport."])},
        {"title": "What changed and why",
         "text": _div([f"{c.date} {c.what} {c.medicine}: {c.why} ({c.who})" for c in passport.changes])},
        {"title": "Medicines stopped", "text": _div([f"{m.name}: {m.stopped_reason or 'no reason recorded'}" for m in passport.stopped]),
         **({"entry": stopped_refs} if stopped_refs else {})},
        {"title": "Medicines I cannot take", "code": {"coding": [{"system": _LOINC, "code": "48765-2"}]},
         "text": _div([f"{a.substance}: {a.reaction}" for a in passport.allergies]
                      or ["No allergies were recorded by the services that sent information."]),
         **({"entry": allergy_refs} if allergy_refs else {})},
        {"title": "Monitoring", "text": _div(list(passport.monitoring))},
        {"title": "Who to contact", "text": _div([f"{role}: {who}" for role, who in passport.contacts])},
    ]
    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": {"coding": [{"system": _LOINC, "code": "56445-0", "display": "Medication summary Document"}]},
        "subject": {"reference": patient_url},
        "date": passport.made_at.isoformat(),
        "author": [{"display": "medpass"}],
        "title": f"Medication passport for {passport.name}",
        "section": sections,
    }
    composition_url = _urn(passport, "composition")
    return {
        "resourceType": "Bundle",
        "identifier": {"system": f"{CANONICAL_BASE}/passport", "value": f"{passport.nhs_number}-{passport.version}"},
        "type": "document",
        "timestamp": passport.made_at.isoformat(),
        "entry": [{"fullUrl": composition_url, "resource": composition}, *entries],
    }
