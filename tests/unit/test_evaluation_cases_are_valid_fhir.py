"""The evaluation set's own messages are valid FHIR, a document carried in a message Bundle included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medpass.domain.nhs_number import is_test_nhs_number, is_valid_nhs_number
from tests.conftest import ROOT
from tests.fhir_schema import schema_errors

EVALUATION = ROOT / "tests" / "evaluation"
CASE_FILES = sorted((EVALUATION / "cases").glob("*/*.json"))


def _problems(bundle: dict[str, Any]) -> list[Any]:
    """Schema errors of a Bundle, each of its resources and any Bundle it carries."""
    found = schema_errors(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        found += _problems(resource) if resource["resourceType"] == "Bundle" else schema_errors(resource)
    return found


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_message_validates_against_the_official_schema(path: Path) -> None:
    assert _problems(json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", sorted((EVALUATION / "labels").glob("feed-*.json")), ids=lambda p: p.stem)
def test_feed_cases_are_synthetic_patients_labelled_for_the_passport_too(path: Path) -> None:
    label = json.loads(path.read_text())
    sections = {"current", "check", "paused", "stopped", "finished"}
    assert is_valid_nhs_number(label["nhs_number"]) and is_test_nhs_number(label["nhs_number"])
    assert label["nhs_number"].startswith("99971") and set(label["passport"]) == sections
