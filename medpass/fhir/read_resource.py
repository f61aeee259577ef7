"""A resource a client sends: the expected type, valid R4, or InvalidRequest with the FHIRPath of the first problem."""

from __future__ import annotations

from typing import Any

from medpass.domain.errors import InvalidRequest
from medpass.fhir.models import FhirVersion, ValidationError, validate_resource
from medpass.fhir.parse import fhir_path


def valid_resource(resource: Any, resource_type: str) -> dict[str, Any]:
    """The body as a valid R4 resource of `resource_type`."""
    if not isinstance(resource, dict) or resource.get("resourceType") != resource_type:
        raise InvalidRequest(f"send a {resource_type} as FHIR JSON")
    try:
        validate_resource(FhirVersion.R4, resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidRequest(f"not a valid {resource_type} at {fhir_path(tuple(first['loc']), resource_type)}: {first['msg']}") from None
    return resource
