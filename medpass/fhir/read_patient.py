"""Who a Bundle is about: one NHS number, demographics, and the registered GP practice."""

from __future__ import annotations

from typing import Any

from medpass.domain.errors import InvalidRequest, Issue, MessageRejected, error
from medpass.domain.nhs_number import NHS_NUMBER_SYSTEM, nhs_number_problem, normalise_nhs_number
from medpass.domain.patients import Demographics, Practice
from medpass.fhir.bundle_index import BundleIndex, IndexedEntry
from medpass.fhir.elements import references
from medpass.fhir.read_resource import valid_resource

#: UK Core's ODS code system; some senders still write the older British spelling.
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
ODS_SYSTEMS = frozenset({ODS_SYSTEM, "https://fhir.nhs.uk/Id/ods-organisation-code"})
#: Resources whose subject/patient must be the message's patient.
_SUBJECT_FIELDS = {
    "MedicationStatement": "subject",
    "MedicationRequest": "subject",
    "MedicationAdministration": "subject",
    "AllergyIntolerance": "patient",
    "List": "subject",
    "Composition": "subject",
    "Observation": "subject",
}


def _nhs_identifier(identifiers: Any, where: str) -> tuple[str | None, list[Issue]]:
    """The NHS number among `identifiers`, checked; issues say where it is wrong."""
    for index, identifier in enumerate(identifiers or []):
        if isinstance(identifier, dict) and identifier.get("system") == NHS_NUMBER_SYSTEM:
            value = str(identifier.get("value") or "")
            problem = nhs_number_problem(value)
            if problem:
                return None, [error("value", problem, f"{where}.identifier[{index}].value")]
            return normalise_nhs_number(value), []
    return None, [error("required", f"no NHS number ({NHS_NUMBER_SYSTEM}) in identifier", f"{where}.identifier")]


def organisation(resource: dict[str, Any] | None) -> Practice | None:
    """An Organization as (ODS code, name)."""
    if not resource or resource.get("resourceType") != "Organization":
        return None
    ods = next(
        (i.get("value") for i in resource.get("identifier", []) or [] if i.get("system") in ODS_SYSTEMS),
        None,
    )
    return Practice(ods_code=ods, name=resource.get("name"))


def _practice_from_reference(reference: dict[str, Any], index: BundleIndex) -> Practice | None:
    """The practice a generalPractitioner reference names: an Organization, or a GP's organisation."""
    identifier = reference.get("identifier")
    if isinstance(identifier, dict) and identifier.get("system") in ODS_SYSTEMS:
        return Practice(ods_code=identifier.get("value"), name=reference.get("display"))
    target = index.resolve(reference)
    if target is None:
        return None
    if target.get("resourceType") == "Organization":
        return organisation(target)
    if target.get("resourceType") == "PractitionerRole":
        return organisation(index.resolve(target.get("organization")))
    if target.get("resourceType") == "Practitioner":
        keys = index.keys_of(target)
        for role in index.of_type("PractitionerRole"):
            if (role.resource.get("practitioner") or {}).get("reference") in keys:
                return organisation(index.resolve(role.resource.get("organization")))
    return None


def gp_practice(patient: dict[str, Any], index: BundleIndex) -> Practice | None:
    """Patient.generalPractitioner as a practice; GP Connect names the GP, so fall back to managingOrganization."""
    for reference in references(patient.get("generalPractitioner")):
        found = _practice_from_reference(reference, index)
        if found and (found.ods_code or found.name):
            return found
    return organisation(index.resolve(patient.get("managingOrganization")))


def _demographics(nhs_number: str, patient: dict[str, Any], index: BundleIndex) -> Demographics:
    """Name, birth date, gender and GP practice from a Patient resource."""
    names = [n for n in patient.get("name", []) or [] if isinstance(n, dict)]
    name = next((n for n in names if n.get("use") in ("official", "usual")), names[0] if names else {})
    return Demographics(
        nhs_number=nhs_number,
        family=name.get("family"),
        given=" ".join(g for g in name.get("given", []) or [] if isinstance(g, str)) or None,
        prefix=" ".join(p for p in name.get("prefix", []) or [] if isinstance(p, str)) or None,
        birth_date=patient.get("birthDate"),
        gender=patient.get("gender"),
        gp_practice=gp_practice(patient, index),
    )


def _check_subjects(index: BundleIndex, patients: list[IndexedEntry], nhs_number: str) -> list[Issue]:
    """Every clinical resource must be about the message's patient, never someone else."""
    own_keys = set().union(*(index.keys_of(p.resource) for p in patients)) if patients else set()
    issues = []
    for entry in index.entries:
        field = _SUBJECT_FIELDS.get(str(entry.resource.get("resourceType")))
        subject = entry.resource.get(field) if field else None
        if not isinstance(subject, dict):
            continue
        target = index.resolve(subject)
        ident = subject.get("identifier")
        if target is not None and target.get("resourceType") == "Patient" and own_keys and subject.get("reference") not in own_keys:
            issues.append(error("business-rule", "refers to a different patient from the message's", f"{entry.location}.{field}"))
        elif (
            isinstance(ident, dict)
            and ident.get("system") == NHS_NUMBER_SYSTEM
            and normalise_nhs_number(str(ident.get("value", ""))) != nhs_number
        ):
                issues.append(error("business-rule", "refers to a different NHS number from the message's", f"{entry.location}.{field}"))
    return issues


def read_patient(index: BundleIndex) -> Demographics:
    """The one patient a message is about, or reject it: no NHS number, a bad one, or two patients."""
    patients = list(index.of_type("Patient"))
    numbers: dict[str, IndexedEntry] = {}
    issues: list[Issue] = []
    for entry in patients:
        number, problems = _nhs_identifier(entry.resource.get("identifier"), entry.location)
        issues += problems
        if number:
            numbers.setdefault(number, entry)
    if not patients:
        issues.append(error("required", "the message has no Patient resource, so no NHS number", "Bundle.entry"))
    if len(numbers) > 1:
        found = ", ".join(sorted(numbers))
        issues.append(error("business-rule", f"one message must be about one patient; found NHS numbers {found}", "Bundle.entry"))
    if issues:
        raise MessageRejected(issues)
    nhs_number, entry = next(iter(numbers.items()))
    subject_issues = _check_subjects(index, patients, nhs_number)
    if subject_issues:
        raise MessageRejected(subject_issues)
    return _demographics(nhs_number, entry.resource, index)


def read_patient_resource(resource: Any) -> Demographics:
    """A Patient a client POSTs (R4): valid, with a valid NHS number; InvalidRequest naming the first problem."""
    resource = valid_resource(resource, "Patient")
    number, problems = _nhs_identifier(resource.get("identifier"), "Patient")
    if number is None:
        raise InvalidRequest("; ".join(p.describe() for p in problems))
    index = BundleIndex.of({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]})
    return _demographics(number, resource, index)
