"""The demo messages are valid FHIR: each R4 resource passes the official JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.fhir_schema import schema_errors


def _is_stu3(path: Path) -> bool:
    """GP Connect files are STU3: fhir.resources' STU3 models check them on ingest; the shared schema is R4."""
    return any("/STU3/" in p for p in json.loads(path.read_text()).get("meta", {}).get("profile", []))


SAMPLE_FILES = [path for path in sorted(SAMPLES.glob("*/*.json")) if not _is_stu3(path)]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_message_validates_against_the_official_schema(path: Path) -> None:
    bundle = json.loads(path.read_text())
    problems = schema_errors(bundle) + [e for entry in bundle["entry"] for e in schema_errors(entry["resource"])]
    assert problems == []
