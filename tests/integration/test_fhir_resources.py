"""The rest of the FHIR API: versions and history, _lastUpdated and _include, Medication, MedicationRequest,
AllergyIntolerance, Provenance, CodeSystem, Patient search and (conditional) create, 405, 429 and AuditEvent search."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass import create_app
from medpass.config import Config
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.registry import REGISTRY
from medpass.services.clients import create_client
from medpass.services.ingest import ingest_message
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, SAMPLES, snapshot
from tests.fhir_schema import schema_errors
from tests.messages import NHS_NUMBER, bundle, encode

NHS = "https://fhir.nhs.uk/Id/nhs-number"
LITHIUM_PATIENT = "9999986986"
Api = tuple[FlaskClient, dict[str, str]]


def body(response: Any, status: int = 200) -> dict[str, Any]:
    """A FHIR JSON body with the expected status, checked against the official schema."""
    assert response.status_code == status, response.data[:300]
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    loaded: dict[str, Any] = response.get_json(force=True)
    assert schema_errors(loaded) == []
    return loaded


@pytest.fixture
def api(app: Flask, session: Session) -> Api:
    """The demo data, and a system allowed to read and search everything and to create Patients."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    _, token = create_client(session, name="Integration", ods_code="ZZG02", feed="gp",
                             scopes=["system/*.rs", "system/Patient.c", "system/DetectedIssue.u"], now=NOW)
    return app.test_client(), {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}


def patient_id(client: FlaskClient, headers: dict[str, str], nhs_number: str = LITHIUM_PATIENT) -> str:
    """The API id of a demo patient."""
    found: str = body(client.get(f"/fhir/Patient?identifier={NHS}|{nhs_number}", headers=headers))["entry"][0]["resource"]["id"]
    return found


def test_a_statement_has_one_version_with_etag_last_modified_vread_and_history(api: Api) -> None:
    client, headers = api
    first = body(client.get(f"/fhir/MedicationStatement?patient=Patient/{patient_id(client, headers)}", headers=headers))
    statement = first["entry"][0]["resource"]
    read = client.get(f"/fhir/MedicationStatement/{statement['id']}", headers=headers)
    assert read.headers["ETag"] == 'W/"1"' and read.headers["Last-Modified"] and body(read)["meta"]["versionId"] == "1"
    assert body(client.get(f"/fhir/MedicationStatement/{statement['id']}/_history/1", headers=headers)) == body(read)
    assert client.get(f"/fhir/MedicationStatement/{statement['id']}/_history/2", headers=headers).status_code == 404
    history = body(client.get(f"/fhir/MedicationStatement/{statement['id']}/_history", headers=headers))
    assert history["type"] == "history" and [e["resource"] for e in history["entry"]] == [body(read)]


def test_last_updated_finds_statements_by_when_medpass_stored_them(api: Api, session: Session) -> None:
    client, headers = api
    pid = patient_id(client, headers)
    base = f"/fhir/MedicationStatement?patient=Patient/{pid}"
    everything = body(client.get(base, headers=headers))["total"]
    stored_on = NOW.date().isoformat()
    assert body(client.get(f"{base}&_lastUpdated={stored_on}", headers=headers))["total"] == everything
    assert body(client.get(f"{base}&_lastUpdated=lt{stored_on}", headers=headers))["total"] == 0
    later = (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body(client.get(f"{base}&_lastUpdated=gt{later}", headers=headers))["total"] == 0
    for bad in ("yesterday", "2026-02-30", "ge2026-11-25T10:00"):
        assert client.get(f"{base}&_lastUpdated={bad}", headers=headers).status_code == 400, bad


def test_include_brings_each_statements_medication_from_the_dictionary(api: Api) -> None:
    client, headers = api
    found = body(client.get(f"/fhir/MedicationStatement?patient=Patient/{patient_id(client, headers)}"
                            "&_include=MedicationStatement:medication", headers=headers))
    matches = [e["resource"] for e in found["entry"] if e["search"]["mode"] == "match"]
    included = [e["resource"] for e in found["entry"] if e["search"]["mode"] == "include"]
    assert {r["resourceType"] for r in included} == {"Medication"} and len(included) == len({r["id"] for r in included})
    coded = {c["code"] for r in matches for c in r["medicationCodeableConcept"].get("coding", [])}
    assert {r["id"] for r in included} <= coded and "39110111000001103" in {r["id"] for r in included}
    lithium = body(client.get("/fhir/Medication/39110111000001103", headers=headers))
    assert lithium["code"]["coding"][0] == {"system": "https://dmd.nhs.uk", "code": "39110111000001103",
                                            "display": "Lithium carbonate 400mg modified-release tablets"}
    assert body(client.get("/fhir/Medication?code=https://dmd.nhs.uk|39110111000001103", headers=headers))["total"] == 1
    assert client.get("/fhir/Medication/123", headers=headers).status_code == 404
    refused = client.get("/fhir/MedicationStatement?patient=Patient/1&_include=MedicationStatement:subject", headers=headers)
    assert refused.status_code == 400 and "MedicationStatement:medication" in refused.get_json()["issue"][0]["diagnostics"]


def test_a_hospital_prescription_is_served_as_a_medication_request(api: Api, session: Session) -> None:
    client, headers = api
    message = bundle()
    message["entry"][1]["resource"] = {
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": "https://dmd.nhs.uk", "code": "39704111000001102",
                                                  "display": "Sertraline 50mg tablets"}]},
        "subject": {"reference": message["entry"][0]["fullUrl"]}, "authoredOn": "2026-10-30",
        "dosageInstruction": [{"text": "One tablet each morning"}]}
    ingest_message(session, "acute", encode(message), sender="hospital", now=NOW, max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    pid = patient_id(client, headers, NHS_NUMBER)
    requests = body(client.get(f"/fhir/MedicationRequest?patient=Patient/{pid}", headers=headers))
    assert requests["total"] == 1
    prescription = requests["entry"][0]["resource"]
    assert (prescription["intent"], prescription["status"], prescription["meta"]["source"]) == ("order", "active", "urn:medpass:feed:acute")
    assert body(client.get(f"/fhir/MedicationRequest/{prescription['id']}", headers=headers)) == prescription
    assert body(client.get(f"/fhir/MedicationRequest?patient=Patient/{pid}&status=stopped", headers=headers))["total"] == 0
    statements = body(client.get(f"/fhir/MedicationStatement?patient=Patient/{pid}", headers=headers))
    not_a_request = client.get(f"/fhir/MedicationRequest/{statements['entry'][0]['resource']['id']}", headers=headers)
    assert statements["total"] == 1 and not_a_request.status_code == 200  # the same row: the request, read as a statement too
    gp_only = body(client.get(f"/fhir/MedicationStatement?patient=Patient/{patient_id(client, headers)}&feed=gp", headers=headers))
    assert client.get(f"/fhir/MedicationRequest/{gp_only['entry'][0]['resource']['id']}", headers=headers).status_code == 404


def test_allergies_are_served_per_feed_as_r4_allergy_intolerances(api: Api) -> None:
    client, headers = api
    found = body(client.get(f"/fhir/AllergyIntolerance?patient=Patient/{patient_id(client, headers, '9991588132')}", headers=headers))
    assert found["total"] >= 1
    allergy = found["entry"][0]["resource"]
    assert allergy["meta"]["source"].startswith("urn:medpass:feed:") and allergy["code"]["text"]
    assert body(client.get(f"/fhir/AllergyIntolerance/{allergy['id']}", headers=headers)) == allergy
    assert client.get("/fhir/AllergyIntolerance/999999", headers=headers).status_code == 404


def test_a_resolution_has_a_provenance_found_by_its_detected_issue_or_patient(api: Api) -> None:
    client, headers = api
    pid = patient_id(client, headers)
    issue = body(client.get(f"/fhir/DetectedIssue?patient=Patient/{pid}&code=stopped-elsewhere", headers=headers))["entry"][0]["resource"]
    assert body(client.get(f"/fhir/Provenance?target=DetectedIssue/{issue['id']}", headers=headers))["total"] == 0
    resolution = {**issue, "status": "cancelled", "mitigation": [{"action": {"text": "Held on purpose: AKI"}}]}
    body(client.put(f"/fhir/DetectedIssue/{issue['id']}", json=resolution, headers=headers))
    by_target = body(client.get(f"/fhir/Provenance?target=DetectedIssue/{issue['id']}", headers=headers))
    assert by_target["total"] == 1 and by_target["entry"][0]["resource"]["reason"][0]["text"] == "Held on purpose: AKI"
    by_patient = body(client.get(f"/fhir/Provenance?patient=Patient/{pid}", headers=headers))
    assert by_patient["entry"] == by_target["entry"]
    one = by_target["entry"][0]["resource"]
    assert body(client.get(f"/fhir/Provenance/{one['id']}", headers=headers)) == one
    assert client.get(f"/fhir/Provenance/{issue['id']}-9", headers=headers).status_code == 404
    dismissed = body(client.get(f"/fhir/DetectedIssue?patient=Patient/{pid}&status=cancelled", headers=headers))
    assert [e["resource"]["id"] for e in dismissed["entry"]] == [issue["id"]]
    assert client.get(f"/fhir/DetectedIssue?patient=Patient/{pid}&status=open", headers=headers).status_code == 400


def test_the_code_systems_medpass_publishes_are_served(api: Api) -> None:
    client, headers = api
    published = ("medication-discrepancy", "medication-safety-record", "medication-change-notification", "passport-section",
                 "agreed-state")
    for code_system in published:
        served = body(client.get(f"/fhir/CodeSystem/{code_system}", headers=headers))
        assert served["url"].endswith(code_system) and served["concept"] and schema_errors(served) == []
    assert body(client.get("/fhir/CodeSystem", headers=headers))["total"] == len(published)
    assert client.get("/fhir/CodeSystem/nothing", headers=headers).status_code == 404


def test_patients_are_found_by_the_start_of_a_name_and_by_birth_date(api: Api) -> None:
    client, headers = api
    by_name = body(client.get("/fhir/Patient?name=sampl", headers=headers))
    assert [e["resource"]["identifier"][0]["value"] for e in by_name["entry"]] == [LITHIUM_PATIENT]
    born = body(client.get("/fhir/Patient?birthdate=1961-11-03", headers=headers))
    assert [e["resource"]["identifier"][0]["value"] for e in born["entry"]] == [LITHIUM_PATIENT]
    assert body(client.get("/fhir/Patient?name=leo&birthdate=ge1990-01-01", headers=headers))["total"] == 0
    for bad in ("birthdate=1961", "identifier=x", f"identifier={NHS}|9999986987", "colour=blue", ""):
        assert client.get(f"/fhir/Patient?{bad}", headers=headers).status_code == 400, bad


def test_a_patient_is_created_once_and_conditional_create_returns_the_existing_one(api: Api, engine: Engine) -> None:
    client, headers = api
    writer = {**headers, "Content-Type": "application/fhir+json"}
    patient = {"resourceType": "Patient", "identifier": [{"system": NHS, "value": NHS_NUMBER}],
               "name": [{"family": "Testpatient", "given": ["Ada"]}], "birthDate": "1980-02-03",
               "generalPractitioner": [{"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "ZZG02"}}]}
    created = client.post("/fhir/Patient", json=patient, headers=writer)
    made = body(created, 201)
    assert created.headers["Location"].endswith(f"/fhir/Patient/{made['id']}") and made["meta"]["versionId"] == "1"
    again = client.post("/fhir/Patient", json=patient, headers=writer)
    assert body(again, 409)["issue"][0]["code"] == "conflict" and f"Patient/{made['id']}" in again.get_json()["issue"][0]["diagnostics"]
    header_form = client.post("/fhir/Patient", json=patient, headers={**writer, "If-None-Exist": f"identifier={NHS}|{NHS_NUMBER}"})
    query_form = client.post(f"/fhir/Patient?identifier={NHS}|{NHS_NUMBER}", json=patient, headers=writer)
    assert body(header_form)["id"] == body(query_form)["id"] == made["id"]
    before = snapshot(engine)
    for bad, status in (({**patient, "identifier": [{"system": NHS, "value": "9990000019"}]}, 400),
                        ({**patient, "birthDate": "3rd Feb"}, 400), ({"resourceType": "Observation"}, 400)):
        assert client.post("/fhir/Patient", json=bad, headers=writer).status_code == status
    mismatch = client.post(f"/fhir/Patient?identifier={NHS}|9990000026", json=patient, headers=writer)
    assert mismatch.status_code == 400
    assert {k: v for k, v in snapshot(engine).items() if k != "audit_events"} == {k: v for k, v in before.items() if k != "audit_events"}


def test_a_method_a_resource_does_not_serve_is_a_405_operation_outcome(api: Api) -> None:
    client, headers = api
    for method, path in (("DELETE", "/fhir/Patient/1"), ("PUT", "/fhir/MedicationStatement/1"), ("POST", "/fhir/Task")):
        response = client.open(path, method=method, headers=headers)
        assert body(response, 405)["resourceType"] == "OperationOutcome", path


def test_a_client_over_its_rate_is_told_to_wait_with_a_429(config: Config, engine: Engine, session: Session) -> None:
    app = create_app(config.with_overrides({"rate_limit_per_minute": 3}))
    _, busy = create_client(session, name="Busy", ods_code="ZZG01", feed=None, scopes=["system/CodeSystem.rs"], now=NOW)
    _, calm = create_client(session, name="Calm", ods_code="ZZG02", feed=None, scopes=["system/CodeSystem.rs"], now=NOW)
    client = app.test_client()
    answers = [client.get("/fhir/CodeSystem", headers={"Authorization": f"Bearer {busy}"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert body(answers[-1], 429)["issue"][0]["code"] == "throttled" and 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert client.get("/fhir/CodeSystem", headers={"Authorization": f"Bearer {calm}"}).status_code == 200


def test_audit_events_are_searched_by_date_action_client_and_outcome(api: Api, session: Session) -> None:
    client, headers = api
    _, admin = create_client(session, name="Auditor", ods_code="ZZT01", feed=None, scopes=["system/AuditEvent.s"], now=NOW)
    client.get("/fhir/Patient/999999", headers=headers)
    client.post("/fhir/Patient", json={"resourceType": "Patient"}, headers={**headers, "Content-Type": "application/fhir+json"})
    auditor = {"Authorization": f"Bearer {admin}"}
    refused = body(client.get("/fhir/AuditEvent?outcome=4&agent-name=integ", headers=auditor))
    assert {e["resource"]["outcomeDesc"] for e in refused["entry"]} == {"HTTP 404", "HTTP 400"}
    creates = body(client.get("/fhir/AuditEvent?action=C", headers=auditor))
    assert [e["resource"]["entity"][0]["what"]["display"] for e in creates["entry"]] == ["POST /fhir/Patient"]
    today = datetime.now(UTC).date()
    assert body(client.get(f"/fhir/AuditEvent?date=ge{today}", headers=auditor))["total"] >= 3
    assert body(client.get(f"/fhir/AuditEvent?date=lt{today}", headers=auditor))["total"] == 0
    for bad in ("date=yesterday", "action=X", "outcome=2", "who=me"):
        assert client.get(f"/fhir/AuditEvent?{bad}", headers=auditor).status_code == 400, bad


def test_every_route_under_fhir_is_in_the_registry_the_capability_statement_is_made_from(app: Flask) -> None:
    routed = {rule.rule.split("/")[2] for rule in app.url_map.iter_rules() if rule.rule.startswith("/fhir/") and rule.rule != "/fhir/"}
    routed = {t for t in routed if t and t[0].isupper()}
    statement = body(app.test_client().get("/fhir/metadata"))
    served = {r["type"] for r in statement["rest"][0]["resource"]}
    assert routed == served == {c.type for c in REGISTRY}
    statement_types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert statement_types["Patient"]["conditionalCreate"] is True
    assert statement_types["MedicationStatement"]["searchInclude"] == ["MedicationStatement:medication"]
    assert json.dumps(statement).count("_lastUpdated") == 1


def test_a_bundle_created_at_its_type_endpoint_comes_back_as_stored_and_can_be_read(app: Flask, session: Session) -> None:
    _, token = create_client(session, name="Ward", ods_code="ZZH01", feed="acute", scopes=["system/Bundle.cr"], now=NOW)
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    created = client.post("/fhir/Bundle", data=encode(bundle()), headers=headers)
    stored = body(created, 201)
    assert stored["meta"]["source"] == "urn:medpass:feed:acute" and stored["entry"] == bundle()["entry"]
    assert created.headers["Location"].endswith(f"/fhir/Bundle/{stored['id']}/_history/1")
    assert body(client.get(f"/fhir/Bundle/{stored['id']}", headers=headers)) == stored
    again = client.post("/fhir/Bundle", data=encode(bundle()), headers={**headers, "Prefer": "return=minimal"})
    assert again.status_code == 200 and again.data == b"" and again.headers["Location"] == created.headers["Location"]
    outcome = client.post("/fhir/Bundle", data=encode(bundle()), headers={**headers, "Prefer": "return=OperationOutcome"})
    assert "duplicate" in body(outcome)["issue"][0]["diagnostics"]


def test_a_total_alone_comes_from_count_zero_and_unknown_total_hints_change_nothing(api: Api) -> None:
    client, headers = api
    base = f"/fhir/MedicationStatement?patient=Patient/{patient_id(client, headers)}"
    total = body(client.get(base, headers=headers))["total"]
    only = body(client.get(f"{base}&_count=0&_totalMethod=count&_total=accurate", headers=headers))
    assert only == {"resourceType": "Bundle", "type": "searchset", "total": total}


def test_a_merge_patch_moves_a_task_as_fhirpy_sends_it(app: Flask, session: Session) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    _, token = create_client(session, name="Practice", ods_code="ZZG02", feed=None, scopes=["system/Task.rus"], now=NOW)
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    task = body(client.get("/fhir/Task?owner=Organization/ZZG02&status=requested", headers=headers))["entry"][0]["resource"]
    for content_type in ("application/json", "application/merge-patch+json"):
        moved = client.patch(f"/fhir/Task/{task['id']}", data=json.dumps({"status": "accepted", "note": [{"text": content_type}]}),
                             headers={**headers, "Content-Type": content_type})
        assert body(moved)["status"] == "accepted" and moved.get_json()["note"][0]["text"] == content_type
    refused = client.patch(f"/fhir/Task/{task['id']}", data=b"[1]", headers={**headers, "Content-Type": "application/merge-patch+json"})
    assert refused.status_code == 400
    wrong_type = client.patch(f"/fhir/Task/{task['id']}", data=b"{}", headers={**headers, "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415


def test_a_json_patch_resolves_a_detected_issue_under_if_match(api: Api) -> None:
    client, headers = api
    pid = patient_id(client, headers)
    issue = body(client.get(f"/fhir/DetectedIssue?patient=Patient/{pid}&code=brand-switch", headers=headers))["entry"][0]["resource"]
    patch = [{"op": "replace", "path": "/status", "value": "final"},
             {"op": "add", "path": "/mitigation", "value": [{"action": {"text": "Priadel confirmed with the patient"}, "extension": [
                 {"url": "https://medpass.example/fhir/StructureDefinition/discrepancy-intent", "valueCode": "unintentional"},
                 {"url": "https://medpass.example/fhir/StructureDefinition/discrepancy-accepted-feed", "valueCode": "gp"}]}]}]
    patch_headers = {**headers, "Content-Type": "application/json-patch+json"}
    stale = client.patch(f"/fhir/DetectedIssue/{issue['id']}", data=json.dumps(patch), headers={**patch_headers, "If-Match": 'W/"9"'})
    assert body(stale, 412)["resourceType"] == "OperationOutcome"
    done = client.patch(f"/fhir/DetectedIssue/{issue['id']}", data=json.dumps(patch), headers={**patch_headers, "If-Match": 'W/"1"'})
    resolved = body(done)
    assert resolved["status"] == "final" and done.headers["ETag"] == 'W/"2"'
    assert resolved["mitigation"][-1]["action"]["text"].endswith("Priadel confirmed with the patient")
    bad = client.patch(f"/fhir/DetectedIssue/{issue['id']}", data=json.dumps([{"op": "remove", "path": "/nothing"}]), headers=patch_headers)
    assert body(bad, 400)["issue"][0]["diagnostics"].startswith("the patch cannot be applied")


def test_every_read_answers_with_an_etag(api: Api) -> None:
    client, headers = api
    for path in ("/fhir/Medication/39110111000001103", "/fhir/CodeSystem/medication-discrepancy",
                 f"/fhir/Patient/{patient_id(client, headers)}"):
        assert client.get(path, headers=headers).headers["ETag"].startswith('W/"'), path


def test_a_next_link_keeps_every_value_of_a_repeated_parameter(api: Api) -> None:
    client, headers = api
    base = f"/fhir/MedicationStatement?patient=Patient/{patient_id(client, headers)}&feed=gp&feed=acute&_count=2"
    first = body(client.get(base, headers=headers))
    following = next(k["url"] for k in first["link"] if k["relation"] == "next")
    assert "feed=gp" in following and "feed=acute" in following
    seen, link = [e["resource"]["id"] for e in first["entry"]], following
    while link:
        page = body(client.get(link.replace("http://localhost", ""), headers=headers))
        seen += [e["resource"]["id"] for e in page["entry"]]
        link = next((k["url"] for k in page["link"] if k["relation"] == "next"), "")
    assert len(seen) == first["total"] == len(set(seen))
    assert {body(client.get(f"/fhir/MedicationStatement/{i}", headers=headers))["meta"]["source"] for i in seen} == {
        "urn:medpass:feed:gp", "urn:medpass:feed:acute"}
