"""Hostile input thrown at the FHIR API (hypothesis): never a 500, every answer an OperationOutcome or a Bundle,
and a rejected Bundle stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass.services.clients import create_client
from tests.conftest import NOW, SAMPLES, snapshot

BASE_MESSAGE = json.loads((SAMPLES / "03-sertraline-dose-increased" / "gp.json").read_text())
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
# derandomize: the same examples every run, so CI is repeatable; explore more with HYPOTHESIS_PROFILE-style local runs.
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def writer(app: Flask, session: Session) -> tuple[FlaskClient, dict[str, str]]:
    """A GP system that may post Bundles and read everything."""
    _, token = create_client(
        session, name="Fuzzing practice", ods_code="ZZG09", feed="gp", scopes=["system/Bundle.c", "system/*.rs"], now=NOW
    )
    return app.test_client(), {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}


def _step(node: Any, key: Any) -> Any:
    """One step down a JSON path, or None where the path no longer exists (earlier mutations may remove it)."""
    if isinstance(node, dict) and isinstance(key, str):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and node:
        return node[key % len(node)]
    return None


def _mutated(paths: list[list[Any]], value: Any) -> bytes:
    """The sample message with the value at each path replaced, where the path still exists."""
    message = json.loads(json.dumps(BASE_MESSAGE))
    for path in paths:
        node: Any = message
        for key in path[:-1]:
            node = _step(node, key)
        if isinstance(node, dict):
            node[path[-1]] = json.loads(json.dumps(value))
    return json.dumps(message).encode()


PATHS = st.lists(
    st.sampled_from(
        [
            ["entry", 0, "resource", "identifier"],
            ["entry", 1, "resource", "status"],
            ["entry", 1, "resource", "dosage"],
            ["entry", 1, "resource", "medicationCodeableConcept"],
            ["type"],
            ["entry"],
            ["entry", 2, "resource", "entry"],
            ["entry", 0, "resource", "birthDate"],
            ["resourceType"],
            ["timestamp"],
        ]
    ),
    min_size=1,
    max_size=3,
)


def _assert_fhir_answer(response: Any) -> dict[str, Any]:
    """Never a 500, never HTML: an OperationOutcome or a Bundle."""
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    payload: dict[str, Any] = response.get_json(force=True)
    assert payload["resourceType"] in ("OperationOutcome", "Bundle")
    return payload


@SETTINGS
@given(paths=PATHS, value=JSON_VALUES)
def test_mutated_bundles_are_accepted_whole_or_rejected_with_nothing_stored(
    paths: list[list[Any]], value: Any, writer: tuple[FlaskClient, dict[str, str]], engine: Engine
) -> None:
    client, headers = writer
    before = snapshot(engine)
    response = client.post("/fhir", data=_mutated(paths, value), headers=headers)
    payload = _assert_fhir_answer(response)
    after = snapshot(engine)
    after.pop("audit_events"), before.pop("audit_events")
    if response.status_code >= 400:
        assert payload["resourceType"] == "OperationOutcome" and after == before


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_are_refused_with_an_operation_outcome(raw: bytes, writer: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = writer
    assert client.post("/fhir", data=raw, headers=headers).status_code in (400, 413, 415, 422)


@SETTINGS
@given(
    name=st.sampled_from(["patient", "status", "code", "effective", "feed", "_count", "_sort", "_summary", "_offset", "_snapshot", "x"]),
    value=st.text(max_size=30),
)
def test_hostile_query_strings_never_break_the_search(name: str, value: str, writer: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = writer
    _assert_fhir_answer(client.get("/fhir/MedicationStatement", query_string={"patient": "Patient/1", name: value}, headers=headers))


@SETTINGS
@given(header=st.text(max_size=60))
def test_hostile_authorization_headers_are_401s(header: str, app: Flask) -> None:
    response = app.test_client().get("/fhir/Patient/1", headers={"Authorization": header.replace("\n", " ").replace("\r", " ")})
    assert response.status_code == 401 and _assert_fhir_answer(response)["resourceType"] == "OperationOutcome"
