"""Small FHIR messages for tests that need one precise shape; realistic ones live in fhir_samples/."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

NHS_NUMBER = "9990000018"
OTHER_NHS_NUMBER = "9990000026"
SAMPLES = Path(__file__).resolve().parents[1] / "fhir_samples"
LITHIUM_PATIENT = "02-lithium-brand-and-ramipril"
PATIENT_URL = "urn:uuid:00000000-0000-4000-8000-000000000001"

_BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "timestamp": "2026-11-01T09:00:00+00:00",
    "entry": [
        {
            "fullUrl": PATIENT_URL,
            "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS_NUMBER}],
                "name": [{"use": "official", "family": "Testpatient", "given": ["Ada"]}],
                "birthDate": "1980-02-03",
            },
        },
        {
            "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002",
            "resource": {
                "resourceType": "MedicationStatement",
                "status": "active",
                "medicationCodeableConcept": {
                    "coding": [{"system": "https://dmd.nhs.uk", "code": "39704111000001102", "display": "Sertraline 50mg tablets"}]
                },
                "subject": {"reference": PATIENT_URL},
                "dosage": [{"text": "One tablet each morning"}],
            },
        },
    ],
}


def bundle(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the small valid R4 message, with top-level fields replaced."""
    made = copy.deepcopy(_BUNDLE)
    made.update(changes)
    return made


def statement(message: dict[str, Any]) -> dict[str, Any]:
    """The MedicationStatement of a message made by `bundle()`."""
    found: dict[str, Any] = message["entry"][1]["resource"]
    return found


def encode(message: Any) -> bytes:
    """A message as the bytes a sender would send."""
    return json.dumps(message).encode("utf-8")


def lithium_reduced(asserted: str = "2026-03-01T10:00:00+00:00") -> bytes:
    """The hospital's next discharge for the lithium patient: lithium reduced from 800 mg to 400 mg at night."""
    message = json.loads((SAMPLES / LITHIUM_PATIENT / "acute.json").read_text())
    message["timestamp"] = asserted
    for entry in message["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] in ("Composition", "List"):
            resource["date"] = asserted
        if resource["resourceType"] == "MedicationStatement" and "Lithium" in json.dumps(resource["medicationCodeableConcept"]):
            resource["dosage"][0]["text"] = "400mg at night"
            resource["dosage"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 400
    return json.dumps(message).encode()
