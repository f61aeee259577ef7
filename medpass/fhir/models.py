"""The one place medpass imports fhir.resources: R4B models read R4 (4.0.1), STU3 models read GP Connect."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fhir.resources import R4B, STU3
from pydantic import ValidationError

__all__ = ["FhirVersion", "ValidationError", "is_known_resource_type", "validate_resource"]


class FhirVersion(StrEnum):
    """The FHIR versions medpass reads: R4 (UK Core) and STU3 (GP Connect, CareConnect)."""

    R4 = "4.0.1"
    STU3 = "3.0.2"


_PACKAGES = {FhirVersion.R4: R4B, FhirVersion.STU3: STU3}


def is_known_resource_type(version: FhirVersion, resource_type: str) -> bool:
    """True when `resource_type` is a resource of that FHIR version."""
    try:
        _PACKAGES[version].get_fhir_model_class(resource_type)
    except (KeyError, ValueError):
        return False
    return True


def validate_resource(version: FhirVersion, data: dict[str, Any]) -> None:
    """Validate one resource (a Bundle validates its entries) or raise pydantic's ValidationError."""
    model = _PACKAGES[version].get_fhir_model_class(str(data.get("resourceType")))
    model.model_validate(data)
