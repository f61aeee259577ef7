"""Validation of what medpass emits against the official FHIR R4 JSON schema in ../shared."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft6Validator

from tests.conftest import shared_path


@cache
def _schema() -> dict[str, Any]:
    """The official FHIR R4 (4.0.1) JSON schema."""
    loaded: dict[str, Any] = json.loads(shared_path("fhir/fhir.schema.json").read_text())
    return loaded


@cache
def _validator(resource_type: str) -> Draft6Validator:
    """A validator for one resource type (a $ref into the schema's definitions, as the schema's README advises)."""
    schema = dict(_schema())
    schema.pop("oneOf", None)
    schema["$ref"] = f"#/definitions/{resource_type}"
    return Draft6Validator(schema)


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """Every schema violation of `resource`, as readable lines (empty when it is valid)."""
    validator = _validator(str(resource.get("resourceType")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(resource)]
