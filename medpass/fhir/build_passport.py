"""The passport as a FHIR R4 document Bundle: Composition first, then everything its sections reference.

Only agreed medicines are in the Current medicines section (LOINC 10160-0). What the partners disagree about is a
section of medpass's own ("check-with-care-team"), its statements `unknown`; paused, stopped and finished ones are
`on-hold`, `stopped` and `completed` in their own sections (issue 9, point 1).
"""

from __future__ import annotations

import html
import uuid
from typing import Any

from medpass.domain.passport import Passport, PassportMedicine, PassportSection
from medpass.fhir.codes import CANONICAL_BASE, PASSPORT_SECTION_SYSTEM, PASSPORT_SECTIONS

_LOINC = "http://loinc.org"
_LIST_EMPTY = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
#: MedicationStatement.status for each section (FHIR R4 medication-statement-status).
_STATUS = {PassportSection.CURRENT: "active", PassportSection.CHECK: "unknown", PassportSection.PAUSED: "on-hold",
           PassportSection.STOPPED: "stopped", PassportSection.FINISHED: "completed"}
_SECTION_CODE = {PassportSection.CHECK: "check-with-care-team", PassportSection.PAUSED: "paused",
                 PassportSection.STOPPED: "stopped", PassportSection.FINISHED: "course-finished"}


def _urn(passport: Passport, *parts: object) -> str:
    """A stable urn:uuid for one resource of one passport version."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(map(str, (passport.nhs_number, passport.version, *parts))))}"


def _div(lines: list[str]) -> dict[str, str]:
    """Section narrative as XHTML."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines) or "<li>None recorded.</li>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>'}


def _statement(medicine: PassportMedicine, patient: str) -> dict[str, Any]:
    """One passport medicine as a MedicationStatement derived from the feed statement it came from."""
    concept: dict[str, Any] = {"text": medicine.name}
    if medicine.codes:
        concept["coding"] = [{"system": s, "code": c, **({"display": d} if d else {})} for s, c, d in medicine.codes]
    notes = [f"Prescribed by {medicine.prescribed_by}.", *medicine.notes, *medicine.advice]
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": _STATUS[medicine.section],
        "medicationCodeableConcept": concept,
        "subject": {"reference": patient},
        "dosage": [{"text": medicine.how_to_take}],
        "note": [{"text": note} for note in notes],
    }
    if medicine.source:
        resource["derivedFrom"] = [{"reference": medicine.source}]
    if medicine.section in (PassportSection.PAUSED, PassportSection.STOPPED) and medicine.notes:
        resource["statusReason"] = [{"text": medicine.notes[0]}]
    if medicine.what_for:
        resource["reasonCode"] = [{"text": medicine.what_for}]
    return resource


def _medicine_line(medicine: PassportMedicine) -> str:
    """One medicine in a section's narrative."""
    said = " ".join(medicine.notes)
    return f"{medicine.name}: {medicine.how_to_take} (prescribed by {medicine.prescribed_by}). {said}".strip()


def _medicine_section(passport: Passport, section: PassportSection, patient: str, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A section of medicines, adding its statements to the Bundle's entries; None for an empty optional section."""
    medicines = passport.sections[section]
    refs = []
    for index, medicine in enumerate(medicines):
        url = _urn(passport, section.value, index)
        entries.append({"fullUrl": url, "resource": _statement(medicine, patient)})
        refs.append({"reference": url})
    if section is PassportSection.CURRENT:
        built: dict[str, Any] = {"title": "Current medicines", "code": {"coding": [{"system": _LOINC, "code": "10160-0",
                                                                                    "display": "History of Medication use Narrative"}]}}
        if not refs:
            built["emptyReason"] = {"text": "No medicine is agreed as current by the services that sent information"}
    elif not refs:
        return None
    else:
        code = _SECTION_CODE[section]
        built = {"title": PASSPORT_SECTIONS[code][0], "code": {"coding": [{"system": PASSPORT_SECTION_SYSTEM, "code": code,
                                                                           "display": PASSPORT_SECTIONS[code][0]}]}}
    built["text"] = _div([_medicine_line(m) for m in medicines])
    if refs:
        built["entry"] = refs
    return built


def _allergy_section(passport: Passport, patient: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Allergies as AllergyIntolerances; a "no known allergies" record is a statement in the narrative, never an entry."""
    refs = []
    for index, allergy in enumerate(passport.allergies):
        url = _urn(passport, "allergy", index)
        entries.append({"fullUrl": url, "resource": {
            "resourceType": "AllergyIntolerance", "patient": {"reference": patient}, "code": {"text": allergy.substance},
            "reaction": [{"manifestation": [{"text": allergy.reaction}]}]}})
        refs.append({"reference": url})
    lines = [f"{a.substance}: {a.reaction}" for a in passport.allergies]
    lines += [f"{s.text}, recorded by {s.recorded_by} on {s.recorded_on}." for s in passport.allergy_statements]
    section: dict[str, Any] = {"title": "Medicines I cannot take", "code": {"coding": [{"system": _LOINC, "code": "48765-2"}]},
                               "text": _div(lines or ["No allergies were recorded by the services that sent information."])}
    if refs:
        section["entry"] = refs
    elif passport.allergy_statements:
        section["emptyReason"] = {"coding": [{"system": _LIST_EMPTY, "code": "nilknown", "display": "Nil Known"}]}
    else:
        section["emptyReason"] = {"text": "No allergy records were sent"}
    return section


def passport_document(passport: Passport) -> dict[str, Any]:
    """A document Bundle: Composition (medicines by section, changes, cannot take, advice, contacts) and its resources."""
    patient_url = _urn(passport, "patient")
    entries: list[dict[str, Any]] = [{"fullUrl": patient_url, "resource": {
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": passport.nhs_number}],
        "name": [{"text": passport.name}],
        **({"birthDate": passport.birth_date} if passport.birth_date else {}),
    }}]
    order = (PassportSection.CHECK, PassportSection.CURRENT, PassportSection.PAUSED, PassportSection.STOPPED, PassportSection.FINISHED)
    sections = [built for section in order if (built := _medicine_section(passport, section, patient_url, entries)) is not None]
    advice = [f"{m.name}: {a}" for m in (*passport.medicines, *passport.check) for a in m.advice]
    sections += [
        {"title": "Changes since your last passport", "text": _div(list(passport.changes_since_last) or ["This is your first passport."])},
        {"title": "What changed and why",
         "text": _div([f"{c.date}: {c.what} {c.medicine}. Why: {c.why} ({c.who})" for c in passport.changes])},
        _allergy_section(passport, patient_url, entries),
        {"title": PASSPORT_SECTIONS["safety-advice"][0],
         "code": {"coding": [{"system": PASSPORT_SECTION_SYSTEM, "code": "safety-advice",
                              "display": PASSPORT_SECTIONS["safety-advice"][0]}]},
         "text": _div([*advice, *passport.monitoring])},
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
    return {
        "resourceType": "Bundle",
        "identifier": {"system": f"{CANONICAL_BASE}/passport", "value": f"{passport.nhs_number}-{passport.version}"},
        "type": "document",
        "timestamp": passport.made_at.isoformat(),
        "entry": [{"fullUrl": _urn(passport, "composition"), "resource": composition}, *entries],
    }
