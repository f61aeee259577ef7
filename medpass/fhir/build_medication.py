"""A dm+d product from medpass's dictionary as an R4 Medication (what `_include=MedicationStatement:medication` adds)."""

from __future__ import annotations

from typing import Any

from medpass.domain.dictionary import Product
from medpass.fhir.codes import CANONICAL_BASE

#: dm+d as UK Core writes it.
DMD_SYSTEM = "https://dmd.nhs.uk"


def medication_resource(product: Product) -> dict[str, Any]:
    """One VTM, VMP or AMP: its dm+d code (id = the dm+d ID), form and ingredients, as medpass's dictionary has them.

    The strength is given in words only (the dictionary does not hold it as a ratio), so it is never guessed into
    Ingredient.strength.
    """
    resource: dict[str, Any] = {
        "resourceType": "Medication",
        "id": product.dmd_id,
        "meta": {"versionId": "1"},
        "code": {"coding": [{"system": DMD_SYSTEM, "code": product.dmd_id, "display": product.name}], "text": product.name},
        "status": "active",
        "ingredient": [{"itemCodeableConcept": {"text": ingredient}, "isActive": True} for ingredient in product.ingredients],
    }
    if product.form:
        resource["form"] = {"text": product.form}
    if product.concept_class:
        resource["extension"] = [{"url": f"{CANONICAL_BASE}/StructureDefinition/dmd-concept-class",
                                  "valueCode": product.concept_class}]
    return resource
