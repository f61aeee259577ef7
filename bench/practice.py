"""A generated practice of synthetic patients: one R4 message per feed per patient (999 NHS numbers)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from typing import Any

#: (dm+d code, name, dose mg, times a day) from ../shared/domain/dmd-codes.csv: synthetic prescribing only.
MEDICINES = [
    ("42270011000001100", "Clozapine 100mg tablets", 100, 2),
    ("39110111000001103", "Lithium carbonate 400mg modified-release tablets", 400, 1),
    ("42275511000001103", "Olanzapine 10mg tablets", 10, 1),
    ("39704111000001102", "Sertraline 50mg tablets", 50, 1),
    ("42109611000001109", "Paracetamol 500mg tablets", 1000, 4),
    ("42084911000001109", "Metformin 500mg tablets", 500, 2),
    ("42278311000001100", "Quetiapine 25mg tablets", 25, 2),
    ("42268111000001109", "Aripiprazole 10mg tablets", 10, 1),
    ("42381611000001104", "Ramipril 5mg capsules", 5, 1),
    ("39733011000001106", "Atorvastatin 20mg tablets", 20, 1),
    ("39732011000001102", "Amlodipine 5mg tablets", 5, 1),
    ("42356411000001102", "Omeprazole 20mg gastro-resistant capsules", 20, 1),
    ("42274511000001104", "Mirtazapine 15mg tablets", 15, 1),
    ("42269411000001107", "Citalopram 20mg tablets", 20, 1),
    ("42278911000001104", "Risperidone 2mg tablets", 2, 2),
]


def nhs_number(serial: int) -> str:
    """A valid NHS number in the 999 test range, distinct for each serial below 500,000.

    Stems 2n and 2n+1 differ by 2 in their weighted sum, so at most one of them has the unusable check digit 10.
    """
    for stem in (f"999{2 * serial:06d}", f"999{2 * serial + 1:06d}"):
        total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return f"{stem}{check}"
    raise AssertionError("unreachable: one of two neighbouring stems always has a check digit")


def _statement(rng: random.Random, patient_url: str, medicine: tuple[str, str, int, int]) -> dict[str, Any]:
    """One MedicationStatement with structured dosage."""
    code, name, dose, times = medicine
    return {
        "resourceType": "MedicationStatement",
        "status": rng.choice(["active"] * 9 + ["stopped"]),
        "statusReason": [{"text": "No longer needed"}],
        "medicationCodeableConcept": {"coding": [{"system": "https://dmd.nhs.uk", "code": code, "display": name}]},
        "subject": {"reference": patient_url},
        "effectivePeriod": {"start": f"2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"},
        "dateAsserted": "2026-10-01",
        "dosage": [{
            "text": f"{dose} mg {times} times a day",
            "timing": {"repeat": {"frequency": times, "period": 1, "periodUnit": "d"}},
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "26643006", "display": "Oral"}]},
            "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}],
        }],
    }


def message(serial: int, feed: str, medicines_per_message: int = 12) -> bytes:
    """One feed's message about patient `serial`, as bytes."""
    rng = random.Random(f"{serial}-{feed}")
    patient_url = f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
    entries: list[dict[str, Any]] = [{
        "fullUrl": patient_url,
        "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number(serial)}],
            "name": [{"use": "official", "family": f"Benchmark{serial}", "given": ["Sam"]}],
            "birthDate": f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "gender": rng.choice(["female", "male"]),
        },
    }]
    statements = [_statement(rng, patient_url, m) for m in rng.sample(MEDICINES, k=min(medicines_per_message, len(MEDICINES)))]
    for item in statements:
        if item["status"] == "active":
            del item["statusReason"]
        entries.append({"fullUrl": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}", "resource": item})
    entries.append({"resource": {
        "resourceType": "List", "status": "current", "mode": "snapshot",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "933361000000108"}]},
        "subject": {"reference": patient_url},
        "entry": [{"item": {"reference": e["fullUrl"]}} for e in entries[1:]],
    }})
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": "2026-11-01T09:00:00Z", "entry": entries}
    return json.dumps(bundle).encode()


def practice(patients: int) -> Iterator[tuple[str, bytes]]:
    """(feed, message) for every patient and feed, generated on the fly."""
    for serial in range(1, patients + 1):
        for feed in ("gp", "mental-health", "acute"):
            yield feed, message(serial, feed)
