"""AllergyIntolerance resources (R4 CodeableConcept statuses, STU3 code statuses) as domain Allergies."""

from __future__ import annotations

from typing import Any

from medpass.domain.allergies import Allergy
from medpass.domain.medicines import Medicine
from medpass.fhir.bundle_index import BundleIndex
from medpass.fhir.elements import codings, concept_code, concept_text


def _status(value: Any) -> str | None:
    """clinicalStatus/verificationStatus: a code in STU3, a CodeableConcept in R4."""
    if isinstance(value, str):
        return value
    return concept_code(value)


def _reactions(resource: dict[str, Any]) -> tuple[str, ...]:
    """What happened: each reaction's manifestations and description."""
    found: list[str] = []
    for reaction in resource.get("reaction", []) or []:
        if not isinstance(reaction, dict):
            continue
        found.extend(t for t in (concept_text(m) for m in reaction.get("manifestation", []) or []) if t)
        if reaction.get("description"):
            found.append(str(reaction["description"]))
    return tuple(found)


def read_allergies(index: BundleIndex) -> tuple[Allergy, ...]:
    """Every AllergyIntolerance in the message, kept whatever its status."""
    allergies = []
    for entry in index.of_type("AllergyIntolerance"):
        resource = entry.resource
        code = resource.get("code") or {}
        notes = [str(n["text"]) for n in resource.get("note", []) or [] if isinstance(n, dict) and n.get("text")]
        allergies.append(
            Allergy(
                source_id=resource.get("id"),
                substance=Medicine(codings=codings(code), text=code.get("text")),
                clinical_status=_status(resource.get("clinicalStatus")),
                verification_status=_status(resource.get("verificationStatus")),
                criticality=resource.get("criticality"),
                categories=tuple(resource.get("category", []) or []),
                reactions=_reactions(resource),
                recorded_date=resource.get("recordedDate") or resource.get("assertedDate"),
                note="; ".join(notes) or None,
            )
        )
    return tuple(allergies)
