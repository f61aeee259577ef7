"""A patient as an R4 Patient resource (UK Core NHS number identifier)."""

from __future__ import annotations

from typing import Any

from medpass.domain.nhs_number import NHS_NUMBER_SYSTEM
from medpass.domain.patients import Demographics
from medpass.fhir.read_patient import ODS_SYSTEM


def patient_resource(patient_id: int, demographics: Demographics, version: int | None = None) -> dict[str, Any]:
    """The Patient medpass serves: NHS number, name, birth date, gender, registered GP practice."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient_id),
        **({"meta": {"versionId": str(version)}} if version is not None else {}),
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": demographics.nhs_number}],
    }
    name: dict[str, Any] = {}
    if demographics.family:
        name["family"] = demographics.family
    if demographics.given:
        name["given"] = demographics.given.split()
    if name:
        resource["name"] = [{"use": "official", **name}]
    if demographics.birth_date:
        resource["birthDate"] = demographics.birth_date
    if demographics.gender:
        resource["gender"] = demographics.gender
    practice = demographics.gp_practice
    if practice and (practice.ods_code or practice.name):
        reference: dict[str, Any] = {"display": practice.name} if practice.name else {}
        if practice.ods_code:
            reference["identifier"] = {"system": ODS_SYSTEM, "value": practice.ods_code}
        resource["generalPractitioner"] = [reference]
    return resource
