"""The FHIR API's first interactions through Flask's test client: auth, metadata, Patient, DetectedIssue, $passport."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.clients import create_client
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, SAMPLES, snapshot
from tests.fhir_schema import schema_errors

NHS = "https://fhir.nhs.uk/Id/nhs-number"


@pytest.fixture
def api(app: Flask, session: Session) -> tuple[FlaskClient, dict[str, str]]:
    """A test client and the headers of a GP system allowed to read patients and discrepancies."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    _, token = create_client(session, name="Practice system", ods_code="ZZG02", feed="gp",
                             scopes=["system/Patient.rs", "system/DetectedIssue.rs", "system/MedicationStatement.rs",
                                     "system/List.s"], now=NOW)
    return app.test_client(), {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}


def body(response: Any) -> dict[str, Any]:
    """The JSON body, checked to be FHIR JSON."""
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    loaded: dict[str, Any] = response.get_json(force=True)
    return loaded


def test_metadata_is_a_valid_capability_statement_listing_what_is_served(app: Flask) -> None:
    statement = body(app.test_client().get("/fhir/metadata"))
    assert schema_errors(statement) == []
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Patient", "DetectedIssue"} <= set(types) and types["Patient"]["operation"][0]["name"] == "passport"


def test_no_token_or_a_bad_one_is_a_401_operation_outcome(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, _ = api
    for headers in ({}, {"Authorization": "Bearer nonsense"}):
        response = client.get(f"/fhir/Patient?identifier={NHS}|9999986986", headers=headers)
        outcome = body(response)
        assert response.status_code == 401 and outcome["issue"][0]["code"] == "login" and schema_errors(outcome) == []
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_scope_not_granted_is_a_403(app: Flask, session: Session) -> None:
    _, token = create_client(session, name="Narrow", ods_code="ZZG03", feed=None, scopes=["system/Patient.r"], now=NOW)
    response = app.test_client().get(f"/fhir/Patient?identifier={NHS}|9999986986", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and "system/Patient.s" in body(response)["issue"][0]["diagnostics"]


def test_a_gp_system_finds_the_patient_reads_the_discrepancies_and_the_passport(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = api
    found = body(client.get(f"/fhir/Patient?identifier={NHS}|9999986986", headers=headers))
    assert found["total"] == 1 and schema_errors(found) == []
    patient = found["entry"][0]["resource"]
    assert body(client.get(f"/fhir/Patient/{patient['id']}", headers=headers)) == patient
    issues = body(client.get(f"/fhir/DetectedIssue?patient=Patient/{patient['id']}", headers=headers))
    codes = {e["resource"]["code"]["coding"][0]["code"] for e in issues["entry"]}
    assert {"brand-switch", "interaction", "stopped-elsewhere", "monitoring-due"} == codes and schema_errors(issues) == []
    one = issues["entry"][0]["resource"]
    assert body(client.get(f"/fhir/DetectedIssue/{one['id']}", headers=headers))["id"] == one["id"]
    passport = body(client.get(f"/fhir/Patient/{patient['id']}/$passport", headers=headers))
    assert passport["type"] == "document" and passport["entry"][0]["resource"]["resourceType"] == "Composition"


def test_errors_under_fhir_are_operation_outcomes_never_html(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = api
    for path, status in (("/fhir/Patient/999999", 404), ("/fhir/Nothing", 404), ("/fhir/Patient?identifier=x", 400),
                         ("/fhir/Patient/1?_format=xml", 400)):
        response = client.get(path, headers={**headers, "Accept": "text/html"} if path.endswith("xml") else headers)
        outcome = body(response)
        assert response.status_code == status and outcome["resourceType"] == "OperationOutcome", path
    refused = client.get("/fhir/metadata", headers={"Accept": "application/xml"})
    assert refused.status_code == 406 and body(refused)["resourceType"] == "OperationOutcome"


@pytest.fixture
def gp_writer(app: Flask, session: Session) -> tuple[FlaskClient, dict[str, str]]:
    """A GP system allowed to post Bundles on the GP feed."""
    _, token = create_client(session, name="Practice system", ods_code="ZZG01", feed="gp", scopes=["system/Bundle.c"], now=NOW)
    return app.test_client(), {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}


def test_a_posted_bundle_is_ingested_on_the_clients_own_feed_once(gp_writer: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = gp_writer
    raw = (SAMPLES / "01-clozapine-missing-at-gp" / "gp.json").read_bytes()
    first = client.post("/fhir", data=raw, headers=headers)
    again = client.post("/fhir", data=raw, headers=headers)
    assert first.status_code == 201 and "accepted message" in body(first)["issue"][0]["diagnostics"]
    assert "(gp, NHS number 9991588132)" in body(first)["issue"][0]["diagnostics"]
    assert again.status_code == 200 and "duplicate" in body(again)["issue"][0]["diagnostics"]


def test_a_posted_transaction_gets_a_response_bundle(gp_writer: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = gp_writer
    message = json.loads((SAMPLES / "03-sertraline-dose-increased" / "gp.json").read_text())
    message["type"] = "transaction"
    for entry in message["entry"]:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    response = body(client.post("/fhir", data=json.dumps(message), headers=headers))
    assert response["type"] == "transaction-response" and len(response["entry"]) == len(message["entry"])
    assert {e["response"]["status"] for e in response["entry"]} == {"201 Created"} and schema_errors(response) == []


def test_a_bad_posted_bundle_is_an_operation_outcome_and_changes_nothing(
    gp_writer: tuple[FlaskClient, dict[str, str]], engine: Engine
) -> None:
    client, headers = gp_writer
    before = snapshot(engine)
    malformed = client.post("/fhir", data=b'{"resourceType": "Bundle",', headers=headers)
    wrong_type = client.post("/fhir", data=b"<Bundle/>", headers={**headers, "Content-Type": "application/xml"})
    assert malformed.status_code == 400 and "malformed JSON" in body(malformed)["issue"][0]["diagnostics"]
    assert wrong_type.status_code == 415 and body(wrong_type)["resourceType"] == "OperationOutcome"
    after = snapshot(engine)
    assert len(after.pop("audit_events")) == len(before.pop("audit_events")) + 2  # the attempts are audited, nothing else
    assert after == before


def test_a_client_without_a_feed_or_the_create_scope_cannot_post(app: Flask, session: Session) -> None:
    _, reader = create_client(session, name="Reader", ods_code="ZZG02", feed="gp", scopes=["system/Patient.rs"], now=NOW)
    _, nofeed = create_client(session, name="No feed", ods_code="ZZG03", feed=None, scopes=["system/Bundle.c"], now=NOW)
    client = app.test_client()
    raw = (SAMPLES / "01-clozapine-missing-at-gp" / "gp.json").read_bytes()
    for token in (reader, nofeed):
        response = client.post("/fhir", data=raw, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"})
        assert response.status_code == 403


def test_a_gp_system_reads_every_feeds_statements_and_the_reconciled_list(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = api
    patient = body(client.get(f"/fhir/Patient?identifier={NHS}|9991141707", headers=headers))["entry"][0]["resource"]
    statements = body(client.get(f"/fhir/MedicationStatement?patient=Patient/{patient['id']}", headers=headers))
    sources = {e["resource"]["meta"]["source"] for e in statements["entry"]}
    assert sources == {"urn:medpass:feed:gp", "urn:medpass:feed:mental-health", "urn:medpass:feed:acute"}
    assert schema_errors(statements) == [] and all(schema_errors(e["resource"]) == [] for e in statements["entry"])
    one = statements["entry"][0]["resource"]
    assert body(client.get(f"/fhir/MedicationStatement/{one['id']}", headers=headers)) == one
    lists = body(client.get(f"/fhir/List?patient=Patient/{patient['id']}", headers=headers))
    reconciled = lists["entry"][0]["resource"]
    assert reconciled["title"] == "Reconciled medication list" and schema_errors(reconciled) == []
    derived = {d["reference"] for c in reconciled["contained"] for d in c["derivedFrom"]}
    assert derived <= {f"MedicationStatement/{e['resource']['id']}" for e in statements["entry"]}


def test_every_interaction_is_audited_and_an_administrator_can_search_them(
    app: Flask, session: Session, api: tuple[FlaskClient, dict[str, str]]
) -> None:
    client, headers = api
    token = headers["Authorization"].split()[1]
    client.get(f"/fhir/Patient?identifier={NHS}|9999986986", headers=headers)
    client.get("/fhir/Patient/1", headers={})
    _, admin = create_client(session, name="Trust IG team", ods_code="ZZT01", feed=None, scopes=["system/AuditEvent.s"], now=NOW)
    found = body(client.get("/fhir/AuditEvent?_count=10", headers={"Authorization": f"Bearer {admin}"}))
    events = [e["resource"] for e in found["entry"]]
    assert all(schema_errors(e) == [] for e in events) and token not in json.dumps(found)
    search, unauthenticated = events[1], events[0]
    assert search["agent"][0]["who"]["display"] == "Practice system (ZZG02)" and search["outcome"] == "0"
    assert search["subtype"][0]["code"] == "search-type" and "Patient?identifier=" in search["entity"][0]["what"]["display"]
    assert unauthenticated["agent"][0]["who"]["display"] == "unidentified caller" and unauthenticated["outcome"] == "4"
    refused = client.get("/fhir/AuditEvent", headers=headers)
    assert refused.status_code == 403


def _resolution(issue: dict[str, Any], **mitigation: Any) -> dict[str, Any]:
    """The DetectedIssue sent back with a resolution."""
    extensions = [{"url": "https://medpass.example/fhir/StructureDefinition/discrepancy-intent", "valueCode": "intentional"},
                  {"url": "https://medpass.example/fhir/StructureDefinition/discrepancy-accepted-feed", "valueCode": "acute"}]
    return {**issue, "status": "final", "mitigation": [{"action": {"text": "Held for AKI"}, "author": {"display": "Dr A Clinician"},
                                                         "extension": extensions, **mitigation}]}


def test_a_put_detected_issue_records_the_resolution_under_if_match(app: Flask, session: Session,
                                                                     api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = api
    _, token = create_client(session, name="Practice system", ods_code="ZZG02", feed="gp", scopes=["system/DetectedIssue.rus"], now=NOW)
    writer = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    patient = body(client.get(f"/fhir/Patient?identifier={NHS}|9999986986", headers=headers))["entry"][0]["resource"]
    issues = body(client.get(f"/fhir/DetectedIssue?patient=Patient/{patient['id']}", headers=headers))["entry"]
    held = next(e["resource"] for e in issues if e["resource"]["code"]["coding"][0]["code"] == "stopped-elsewhere")
    read = client.get(f"/fhir/DetectedIssue/{held['id']}", headers=headers)
    assert read.headers["ETag"] == 'W/"1"' and read.headers["Last-Modified"]
    stale = client.put(f"/fhir/DetectedIssue/{held['id']}", json=_resolution(held), headers={**writer, "If-Match": 'W/"7"'})
    assert stale.status_code == 412 and body(stale)["resourceType"] == "OperationOutcome"
    no_reason = client.put(f"/fhir/DetectedIssue/{held['id']}", json=_resolution(held, action={"text": "   "}), headers=writer)
    assert no_reason.status_code == 400 and body(no_reason)["issue"][0]["diagnostics"] == "a reason (say why) is required"
    done = client.put(f"/fhir/DetectedIssue/{held['id']}", json=_resolution(held), headers={**writer, "If-Match": '"1"'})
    resolved = body(done)
    assert done.status_code == 200 and done.headers["ETag"] == 'W/"2"' and resolved["status"] == "final"
    assert resolved["mitigation"][0]["author"]["display"] == "Dr A Clinician via Practice system (ZZG02)"
    assert schema_errors(resolved) == []
    empty = client.put(f"/fhir/DetectedIssue/{held['id']}", json=_resolution(held, action={"text": ""}), headers=writer)
    assert "DetectedIssue.mitigation[0].action.text" in body(empty)["issue"][0]["diagnostics"]
    reader_only = client.put(f"/fhir/DetectedIssue/{held['id']}", json=_resolution(held), headers=headers)
    assert reader_only.status_code == 403


def _statements(client: FlaskClient, headers: dict[str, str], query: str) -> dict[str, Any]:
    """A MedicationStatement search for the naproxen demo patient."""
    patient = body(client.get(f"/fhir/Patient?identifier={NHS}|9991141707", headers=headers))["entry"][0]["resource"]
    return body(client.get(f"/fhir/MedicationStatement?patient=Patient/{patient['id']}&{query}", headers=headers))


def test_medication_statements_are_searched_by_status_code_effective_and_feed(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, headers = api
    stopped = _statements(client, headers, "status=stopped")
    assert [e["resource"]["medicationCodeableConcept"]["text"] for e in stopped["entry"]] == ["Naproxen 500mg tablets"]
    by_code = _statements(client, headers, "code=http://snomed.info/sct|42107811000001100")
    assert {e["resource"]["meta"]["source"] for e in by_code["entry"]} == {"urn:medpass:feed:gp", "urn:medpass:feed:acute"}
    acute = _statements(client, headers, "feed=acute&status=active,stopped")
    assert acute["total"] == 5 and {e["resource"]["meta"]["source"] for e in acute["entry"]} == {"urn:medpass:feed:acute"}
    recent = _statements(client, headers, "effective=ge2026-02-01")
    assert recent["total"] >= 1 and all(e["resource"]["effectivePeriod"]["start"] >= "2026-02-01" for e in recent["entry"])
    assert _statements(client, headers, "_summary=count")["total"] == _statements(client, headers, "_count=500")["total"]
    bad = client.get("/fhir/MedicationStatement?patient=Patient/1&colour=blue", headers=headers)
    assert bad.status_code == 400 and "colour" in body(bad)["issue"][0]["diagnostics"]


def test_paging_follows_next_links_that_stay_consistent_while_a_feed_writes(
    api: tuple[FlaskClient, dict[str, str]], session: Session
) -> None:
    client, headers = api
    everything = _statements(client, headers, "_count=500")
    first = _statements(client, headers, "_count=3&_sort=effective")
    seen = [e["resource"]["id"] for e in first["entry"]]
    message = json.loads((SAMPLES / "04-naproxen-stopped-in-hospital" / "gp.json").read_text())
    message["timestamp"] = "2026-03-01T09:00:00+00:00"
    message["entry"] = [e for e in message["entry"] if "Naproxen" not in json.dumps(e["resource"].get("medicationCodeableConcept", {}))]
    for entry in message["entry"]:
        if entry["resource"]["resourceType"] == "List":
            entry["resource"]["entry"] = [i for i in entry["resource"]["entry"] if any(i["item"]["reference"] == e.get("fullUrl")
                                                                                       for e in message["entry"])]
    from medpass.services.ingest import ingest_message

    ingest_message(session, "gp", json.dumps(message).encode(), sender="test", now=NOW, max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    link = next((k["url"] for k in first["link"] if k["relation"] == "next"), None)
    while link:
        page = body(client.get(link.replace("http://localhost", ""), headers=headers))
        seen += [e["resource"]["id"] for e in page["entry"]]
        link = next((k["url"] for k in page["link"] if k["relation"] == "next"), None)
    assert sorted(seen) == sorted(e["resource"]["id"] for e in everything["entry"]) and len(seen) == len(set(seen))
    assert _statements(client, headers, "_count=500")["total"] == everything["total"] - 1  # the new view has no naproxen


def test_a_clinical_system_records_a_structured_decision_and_the_reconciled_list_follows_it(
        api: tuple[FlaskClient, dict[str, str]], session: Session) -> None:
    client, headers = api
    _, token = create_client(session, name="Practice system", ods_code="ZZG02", feed="gp",
                             scopes=["system/DetectedIssue.rus", "system/List.rs"], now=NOW)
    writer = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    patient = body(client.get(f"/fhir/Patient?identifier={NHS}|9999986986", headers=headers))["entry"][0]["resource"]
    issues = body(client.get(f"/fhir/DetectedIssue?patient=Patient/{patient['id']}", headers=headers))["entry"]
    held = next(e["resource"] for e in issues if e["resource"]["code"]["coding"][0]["code"] == "stopped-elsewhere")
    base = "https://medpass.example/fhir/StructureDefinition/"
    unsaid = {**held, "status": "final", "mitigation": [{"action": {"text": "Stopped for good"}}]}
    refused = client.put(f"/fhir/DetectedIssue/{held['id']}", json=unsaid, headers=writer)
    assert refused.status_code == 400 and body(refused)["issue"][0]["diagnostics"].startswith("say what was decided")
    said = [{"url": base + "discrepancy-resolution-kind", "valueCode": "mark-stopped"},
            {"url": base + "discrepancy-intent", "valueCode": "intentional"}]
    stopped = {**held, "status": "final",
               "mitigation": [{"action": {"text": "ACE inhibitor stopped for good after the AKI"}, "extension": said}]}
    done = client.put(f"/fhir/DetectedIssue/{held['id']}", json=stopped, headers=writer)
    assert done.status_code == 200 and body(done)["mitigation"][0]["action"]["text"] == (
        "Marked stopped (intentional). ACE inhibitor stopped for good after the AKI")
    reconciled = body(client.get(f"/fhir/List?patient=Patient/{patient['id']}", headers=writer))["entry"][0]["resource"]
    flags = {c["medicationCodeableConcept"]["text"]: e["flag"]["coding"][0]["code"]
             for e, c in zip(reconciled["entry"], reconciled["contained"], strict=True)}
    assert flags["Ramipril 5mg capsules"] == "stopped"
