"""A GP system's real FHIR client (fhirpy) against a live server: with a token it finds the patient by NHS number,
reads them, their discrepancies and the reconciled list; every body validates against the official schema."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from fhirpy import SyncFHIRClient

from tests.fhir_schema import schema_errors

Cli = Callable[..., subprocess.CompletedProcess[str]]
NHS = "https://fhir.nhs.uk/Id/nhs-number"


def test_fhirpy_finds_the_patient_and_reads_discrepancies_and_the_reconciled_list(live_server: str, flask_cli: Cli) -> None:
    assert flask_cli("load-samples").returncode == 0
    made = flask_cli("create-client", "--name", "Practice system", "--ods", "ZZG02", "--feed", "gp",
                     "--scope", "system/Patient.rs", "--scope", "system/DetectedIssue.rs", "--scope", "system/List.s")
    token = made.stdout.strip().splitlines()[-1]
    client = SyncFHIRClient(f"{live_server}/fhir", authorization=f"Bearer {token}")
    (patient,) = client.resources("Patient").search(identifier=f"{NHS}|9999986986").fetch_all()
    assert patient["identifier"][0]["value"] == "9999986986" and schema_errors(patient.serialize()) == []
    again = client.reference("Patient", patient.id).to_resource()
    assert again.serialize() == patient.serialize()
    issues = client.resources("DetectedIssue").search(patient=f"Patient/{patient.id}").fetch_all()
    assert {i["code"]["coding"][0]["code"] for i in issues} == {"brand-switch", "interaction", "stopped-elsewhere", "monitoring-due"}
    assert all(schema_errors(i.serialize()) == [] for i in issues)
    (reconciled,) = client.resources("List").search(patient=f"Patient/{patient.id}").fetch_all()
    assert reconciled["title"] == "Reconciled medication list" and schema_errors(reconciled.serialize()) == []
