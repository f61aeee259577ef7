"""Required value-set bindings medpass relies on, which fhir.resources and the JSON schema do not check.

Each set is copied from the FHIR specification's value set of that element (R4 4.0.1 and STU3 3.0.2
resource pages, 'Terminology Bindings', strength 'required').
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medpass.domain.errors import Issue, error
from medpass.fhir.models import FhirVersion

_MS_R4 = {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"}
_MS_STU3 = {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold"}
_MR_STATUS = {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"}
_MR_INTENT_R4 = {
    "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option",
}
_MR_INTENT_STU3 = {"proposal", "plan", "order", "instance-order"}
_LIST_STATUS = {"current", "retired", "entered-in-error"}
_LIST_MODE = {"working", "snapshot", "changes"}
_ALLERGY_CLINICAL = {"active", "inactive", "resolved"}
_ALLERGY_VERIFICATION_R4 = {"unconfirmed", "confirmed", "refuted", "entered-in-error"}
_ALLERGY_VERIFICATION_STU3 = {"unconfirmed", "confirmed", "refuted", "entered-in-error"}
_ALLERGY_CRITICALITY = {"low", "high", "unable-to-assess"}
_ALLERGY_TYPE = {"allergy", "intolerance"}
_ALLERGY_CATEGORY = {"food", "medication", "environment", "biologic"}
_GENDER = {"male", "female", "other", "unknown"}
_MED_ADMIN_R4 = {"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped", "unknown"}
_MED_ADMIN_STU3 = {"in-progress", "on-hold", "completed", "entered-in-error", "stopped", "unknown"}
_COMPOSITION_STATUS = {"preliminary", "final", "amended", "entered-in-error"}
_OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
_BUNDLE_TYPES = {
    "document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
    "searchset", "collection",
}
_ALLERGY_CLINICAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_ALLERGY_VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"

#: (resourceType, element path, allowed codes); a path step ending in [] walks a list; a path ending in
#: "@system" checks only codings with that system.
Binding = tuple[str, str, frozenset[str]]

_R4: list[Binding] = [
    ("Bundle", "type", frozenset(_BUNDLE_TYPES)),
    ("MedicationStatement", "status", frozenset(_MS_R4)),
    ("MedicationRequest", "status", frozenset(_MR_STATUS)),
    ("MedicationRequest", "intent", frozenset(_MR_INTENT_R4)),
    ("List", "status", frozenset(_LIST_STATUS)),
    ("List", "mode", frozenset(_LIST_MODE)),
    ("AllergyIntolerance", "type", frozenset(_ALLERGY_TYPE)),
    ("AllergyIntolerance", "category[]", frozenset(_ALLERGY_CATEGORY)),
    ("AllergyIntolerance", "criticality", frozenset(_ALLERGY_CRITICALITY)),
    ("AllergyIntolerance", f"clinicalStatus.coding[].code@{_ALLERGY_CLINICAL_SYSTEM}", frozenset(_ALLERGY_CLINICAL)),
    (
        "AllergyIntolerance",
        f"verificationStatus.coding[].code@{_ALLERGY_VERIFICATION_SYSTEM}",
        frozenset(_ALLERGY_VERIFICATION_R4),
    ),
    ("Patient", "gender", frozenset(_GENDER)),
    ("MedicationAdministration", "status", frozenset(_MED_ADMIN_R4)),
    ("Composition", "status", frozenset(_COMPOSITION_STATUS)),
    ("Observation", "status", frozenset(_OBSERVATION_STATUS)),
]

_STU3: list[Binding] = [
    ("Bundle", "type", frozenset(_BUNDLE_TYPES)),
    ("MedicationStatement", "status", frozenset(_MS_STU3)),
    ("MedicationStatement", "taken", frozenset({"y", "n", "unk", "na"})),
    ("MedicationRequest", "status", frozenset(_MR_STATUS)),
    ("MedicationRequest", "intent", frozenset(_MR_INTENT_STU3)),
    ("List", "status", frozenset(_LIST_STATUS)),
    ("List", "mode", frozenset(_LIST_MODE)),
    ("AllergyIntolerance", "type", frozenset(_ALLERGY_TYPE)),
    ("AllergyIntolerance", "category[]", frozenset(_ALLERGY_CATEGORY)),
    ("AllergyIntolerance", "criticality", frozenset({"low", "high", "unable-to-assess"})),
    ("AllergyIntolerance", "clinicalStatus", frozenset(_ALLERGY_CLINICAL)),
    ("AllergyIntolerance", "verificationStatus", frozenset(_ALLERGY_VERIFICATION_STU3)),
    ("Patient", "gender", frozenset(_GENDER)),
    ("MedicationAdministration", "status", frozenset(_MED_ADMIN_STU3)),
    ("Composition", "status", frozenset(_COMPOSITION_STATUS)),
    ("Observation", "status", frozenset(_OBSERVATION_STATUS)),
]

BINDINGS: dict[FhirVersion, list[Binding]] = {FhirVersion.R4: _R4, FhirVersion.STU3: _STU3}


def _values_at(node: Any, steps: list[str], where: str, system: str | None) -> Iterator[tuple[str, Any]]:
    """Yield (FHIRPath, value) for every value at the dotted `steps` below `node`."""
    if not steps:
        yield where, node
        return
    step, rest = steps[0], steps[1:]
    many = step.endswith("[]")
    name = step.removesuffix("[]")
    if not isinstance(node, dict) or name not in node:
        return
    value = node[name]
    if many and isinstance(value, list):
        for index, item in enumerate(value):
            if system and rest == ["code"] and isinstance(item, dict) and item.get("system") != system:
                continue
            yield from _values_at(item, rest, f"{where}.{name}[{index}]", system)
    else:
        yield from _values_at(value, rest, f"{where}.{name}", system)


def check_bindings(version: FhirVersion, resource: dict[str, Any], where: str) -> list[Issue]:
    """Return an issue for every coded value outside its required value set."""
    issues: list[Issue] = []
    for resource_type, path, allowed in BINDINGS[version]:
        if resource.get("resourceType") != resource_type:
            continue
        element, _, system = path.partition("@")
        for location, value in _values_at(resource, element.split("."), where, system or None):
            if isinstance(value, str) and value not in allowed:
                choices = ", ".join(sorted(allowed))
                issues.append(
                    error(
                        "code-invalid",
                        f"{resource_type}.{element.replace('[]', '')} {value!r} is not in the required "
                        f"value set ({choices})",
                        location,
                    )
                )
    return issues
