"""GP and hospital systems' real FHIR clients (fhirpy and fhirclient, from PyPI) against a live server.

With a token, a GP system creates its patient (conditionally), posts its list, finds the patient by NHS number,
reads the reconciled list, the discrepancies and the passport, searches statements with _include following every
page, and receives and acknowledges the change notification the hospital's change raises, by search and by a
rest-hook push to a receiver. Every body the clients get back is validated against the official FHIR schema.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import requests
from fhirclient.models.bundle import Bundle as ClientBundle
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.detectedissue import DetectedIssue as ClientDetectedIssue
from fhirclient.models.medicationstatement import MedicationStatement as ClientStatement
from fhirclient.models.patient import Patient as ClientPatient
from fhirclient.models.task import Task as ClientTask
from fhirclient.server import FHIRServer
from fhirpy import SyncFHIRClient

from tests.fhir_schema import schema_errors
from tests.messages import NHS_NUMBER, bundle, lithium_reduced
from tests.receiver import receiver

Cli = Callable[..., subprocess.CompletedProcess[str]]
NHS = "https://fhir.nhs.uk/Id/nhs-number"
LITHIUM_NHS = "9999986986"
GP_SCOPES = ("system/Bundle.c", "system/Patient.crs", "system/MedicationStatement.rs", "system/Medication.rs",
             "system/DetectedIssue.rs", "system/List.s", "system/Task.rus", "system/Subscription.crs")


def token(flask_cli: Cli, name: str, ods: str, feed: str, *scopes: str) -> str:
    """Register a client with `flask --app medpass create-client`; its token is the last line printed."""
    made = flask_cli("create-client", "--name", name, "--ods", ods, "--feed", feed, *[a for s in scopes for a in ("--scope", s)])
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def valid(resource: Any) -> dict[str, Any]:
    """A resource a client got back, as JSON, checked against the official schema."""
    data: dict[str, Any] = resource.serialize() if hasattr(resource, "serialize") else resource.as_json()
    assert schema_errors(data) == [], data
    return data


def test_fhirpy_gp_system_closes_the_loop(live_server: str, flask_cli: Cli) -> None:
    assert flask_cli("load-samples").returncode == 0
    client = SyncFHIRClient(f"{live_server}/fhir", authorization=f"Bearer {token(flask_cli, 'Practice', 'ZZG02', 'gp', *GP_SCOPES)}")
    ward = token(flask_cli, "Ward", "ZZH01", "acute", "system/Bundle.c")
    hospital = SyncFHIRClient(f"{live_server}/fhir", authorization=f"Bearer {ward}")

    # conditional create of a patient new to medpass, then its list posted as a Bundle
    new = client.resource("Patient", identifier=[{"system": NHS, "value": NHS_NUMBER}], name=[{"family": "Testpatient"}])
    new.create(identifier=f"{NHS}|{NHS_NUMBER}")
    again, created = client.resources("Patient").search(identifier=f"{NHS}|{NHS_NUMBER}").get_or_create(
        client.resource("Patient", identifier=[{"system": NHS, "value": NHS_NUMBER}]))
    assert not created and again.id == new.id and valid(new)["meta"]["versionId"] == "1"
    outcome = client.execute("", method="post", data=bundle())  # fhirpy posts every Bundle to the base
    assert schema_errors(dict(outcome)) == [] and outcome["issue"][0]["diagnostics"].startswith("accepted message")

    # find the lithium patient by NHS number; read the reconciled list, the discrepancies and the passport
    (patient,) = client.resources("Patient").search(identifier=f"{NHS}|{LITHIUM_NHS}").fetch_all()
    assert valid(client.reference("Patient", patient.id).to_resource()) == valid(patient)
    (reconciled,) = client.resources("List").search(patient=f"Patient/{patient.id}").fetch_all()
    assert valid(reconciled)["title"] == "Reconciled medication list"
    issues = client.resources("DetectedIssue").search(patient=f"Patient/{patient.id}").fetch_all()
    assert "brand-switch" in {i["code"]["coding"][0]["code"] for i in issues} and all(valid(i) for i in issues)
    passport = client.execute(f"Patient/{patient.id}/$passport", method="get")
    assert passport["type"] == "document" and schema_errors(passport) == []

    # statements with _include, every page followed
    search = client.resources("MedicationStatement").search(patient=f"Patient/{patient.id}")
    first = search.include("MedicationStatement", "medication").limit(2).fetch_raw()
    assert {e["search"]["mode"] for e in first["entry"]} == {"match", "include"} and schema_errors(dict(first)) == []
    everything = search.limit(2).fetch_all()
    assert len(everything) == search.count() == len({s.id for s in everything}) > 2 and all(valid(s) for s in everything)

    # the hospital reduces lithium: the practice is told, by search and by a push, and acknowledges
    with receiver() as (url, received):
        subscription = client.resource("Subscription", status="requested", reason="Tell the practice system",
                                       criteria="Task?owner=Organization/ZZG02&status=requested",
                                       channel={"type": "rest-hook", "endpoint": url, "payload": "application/fhir+json"})
        subscription.save()
        assert valid(subscription)["status"] == "active"
        hospital.execute("", method="post", data=json.loads(lithium_reduced()))
        pushed = flask_cli("push-notifications")
        assert pushed.returncode == 0 and "2 delivered" in pushed.stdout, pushed.stdout + pushed.stderr
    assert {r["path"].split("/")[1] for r in received.requests} == {"Task"}
    assert all(schema_errors(r["body"]) == [] for r in received.requests)
    tasks = client.resources("Task").search(owner="Organization/ZZG02", status="requested", patient=f"Patient/{patient.id}").fetch_all()
    new = {t.id: t["code"]["coding"][0]["code"] for t in tasks if t.id in {r["body"]["id"] for r in received.requests}}
    assert sorted(new.values()) == ["changed", "high-severity-discrepancy"]  # the rest were raised by the demo data
    change = next(t for t in tasks if t["code"]["coding"][0]["code"] == "changed")
    change.patch(status="accepted")
    assert valid(change)["status"] == "accepted" and change["meta"]["versionId"] == "2"
    change["status"] = "completed"
    change.save()
    assert valid(client.reference("Task", change.id).to_resource())["status"] == "completed"


def test_fhirclient_hospital_and_gp_systems(live_server: str, flask_cli: Cli) -> None:
    assert flask_cli("load-samples").returncode == 0
    hospital = FHIRServer(None, base_uri=f"{live_server}/fhir/")
    hospital.session.headers["Authorization"] = f"Bearer {token(flask_cli, 'Ward', 'ZZH01', 'acute', 'system/Bundle.c')}"
    gp = FHIRServer(None, base_uri=f"{live_server}/fhir/")
    gp.session.headers["Authorization"] = f"Bearer {token(flask_cli, 'Practice', 'ZZG02', 'gp', *GP_SCOPES)}"

    discharge = {k: v for k, v in json.loads(lithium_reduced()).items() if k != "id"}  # a create carries no id
    created = ClientBundle(discharge).create(hospital)
    assert created is not None and created["resourceType"] == "Bundle" and schema_errors(created) == []

    (patient,) = list(ClientPatient.where({"identifier": f"{NHS}|{LITHIUM_NHS}"}).perform_resources_iter(gp))
    assert valid(ClientPatient.read(patient.id, gp)) == valid(patient)
    issues = list(ClientDetectedIssue.where({"patient": f"Patient/{patient.id}"}).perform_resources_iter(gp))
    assert "dose" in {i.code.coding[0].code for i in issues} and all(valid(i) for i in issues)
    pages = list(ClientStatement.where({"patient": f"Patient/{patient.id}", "_count": "2",
                                        "_include": "MedicationStatement:medication"}).perform_iter(gp))
    matches = [e.resource for page in pages for e in page.entry or [] if e.search.mode == "match"]
    assert len(pages) > 1 and len(matches) == pages[0].total and all(valid(p) for p in pages)

    (task,) = list(ClientTask.where({"owner": "Organization/ZZG02", "code": "changed", "patient": f"Patient/{patient.id}"})
                   .perform_resources_iter(gp))
    task.status = "rejected"
    refused = requests.put(f"{live_server}/fhir/Task/{task.id}", json=task.as_json(), headers=dict(gp.session.headers), timeout=10)
    assert refused.status_code == 400 and "needs a reason" in refused.json()["issue"][0]["diagnostics"]
    task.statusReason = CodeableConcept({"text": "Patient moved practice"})
    updated = task.update(gp)
    assert updated is not None and updated["status"] == "rejected" and schema_errors(updated) == []
