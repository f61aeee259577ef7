"""The FHIR R4 REST API at /fhir: thin views over the services, every answer FHIR JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotAcceptable, PreconditionFailed, UnsupportedMediaType

from medpass.domain.clients import ApiClient, Interaction
from medpass.domain.errors import InvalidRequest, Issue, NotAuthenticated, NotPermitted, Severity
from medpass.domain.issue_lifecycle import StoredIssue
from medpass.domain.nhs_number import NHS_NUMBER_SYSTEM
from medpass.domain.statement_search import search
from medpass.fhir.build_audit import audit_event
from medpass.fhir.build_issues import detected_issue, issue_version, last_updated
from medpass.fhir.build_passport import passport_document
from medpass.fhir.build_patient import patient_resource
from medpass.fhir.build_reconciled import reconciled_list
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.codes import CANONICAL_BASE
from medpass.fhir.outcome import operation_outcome
from medpass.fhir.read_resolution import read_resolution
from medpass.fhir.registry import capability_statement
from medpass.fhir.search_params import page_size, statement_query
from medpass.services.audit import recent_interactions, record_interaction
from medpass.services.clients import authenticate
from medpass.services.ingest import ingest_message
from medpass.services.issue_reads import find_detected_issue
from medpass.services.passport import make_passport
from medpass.services.patients import patient_by_id, patients_with_nhs_number
from medpass.services.reconcile import reconcile_patient
from medpass.services.resolution import resolve_discrepancy
from medpass.services.statement_reads import current_statements, find_statement, reconciled_for
from medpass.web import db_session, medpass_config

fhir_api = Blueprint("fhir_api", __name__, url_prefix="/fhir")

FHIR_JSON = "application/fhir+json"
_JSON_FORMATS = {"json", "application/json", FHIR_JSON, "application/fhir+json; fhirversion=4.0"}


def fhir(resource: dict[str, Any], status: int = 200) -> Response:
    """A FHIR JSON response."""
    return Response(json.dumps(resource), status=status, mimetype=FHIR_JSON)


def _now() -> datetime:
    """The API's clock."""
    return datetime.now(UTC)


@fhir_api.before_request
def _negotiate_and_authenticate() -> None:
    """JSON only (406 otherwise); every interaction but metadata needs a registered client's bearer token."""
    wanted = request.args.get("_format")
    if wanted is not None and wanted.lower() not in _JSON_FORMATS:
        raise InvalidRequest(f"_format {wanted!r} is not served: medpass answers FHIR JSON only") from None
    if request.accept_mimetypes and not request.accept_mimetypes.best_match([FHIR_JSON, "application/json"]):
        raise NotAcceptable("medpass answers application/fhir+json only")
    if request.endpoint == "fhir_api.metadata":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    client = authenticate(db_session(), token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if client is None:
        raise NotAuthenticated("a registered client's bearer token is required (Authorization: Bearer ...)")
    g.api_client = client


def _require(resource: str, interaction: Interaction) -> None:
    """403 unless the client's scopes allow this interaction on this resource type."""
    client: ApiClient = g.api_client
    if not client.allows(resource, interaction):
        raise NotPermitted(f"scope system/{resource}.{interaction.value} is not granted to {client.name}")


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A searchset Bundle of matches."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    }


_ACCEPTED_BODIES = {"application/fhir+json", "application/json"}


@fhir_api.post("")
@fhir_api.post("/")
def post_bundle() -> ResponseReturnValue:
    """The feeds' way in: a Bundle posted by a client is ingested whole on the one feed that client may write."""
    _require("Bundle", Interaction.CREATE)
    client: ApiClient = g.api_client
    if client.feed is None:
        raise NotPermitted(f"{client.name} is not registered to write any feed")
    if request.mimetype not in _ACCEPTED_BODIES:
        raise UnsupportedMediaType("send the Bundle as application/fhir+json")
    config = medpass_config()
    result = ingest_message(db_session(), client.feed.value, request.get_data(), sender=f"{client.name} ({client.ods_code})",
                            now=_now(), max_bytes=config.max_message_bytes, fhir_version=request.mimetype_params.get("fhirversion"))
    status = "200 OK" if result.duplicate else "201 Created"
    if result.bundle_type in ("batch", "transaction"):
        response = {"resourceType": "Bundle", "type": f"{result.bundle_type}-response",
                    "entry": [{"response": {"status": status}} for _ in range(result.entries)]}
        return fhir(response, 200)
    issues = [Issue(Severity.INFORMATION, "informational", result.summary()), *result.warnings]
    return fhir(operation_outcome(issues), 200 if result.duplicate else 201)


def _interaction() -> tuple[str, str]:
    """(AuditEvent.action, RESTful interaction) for the request being answered."""
    endpoint = (request.endpoint or "").removeprefix("fhir_api.")
    if endpoint == "post_bundle":
        return "C", "create"
    if endpoint.startswith("update_"):
        return "U", "update"
    if endpoint == "metadata":
        return "R", "capabilities"
    if endpoint.startswith("search_"):
        return "E", "search-type"
    if endpoint == "passport":
        return "E", "operation"
    return "R", "read"


@fhir_api.after_app_request
def _audit(response: Response) -> Response:
    """Record every /fhir interaction (who, what, when, outcome); the token is never recorded."""
    if request.path.startswith("/fhir"):
        action, interaction = _interaction()
        record_interaction(current_app.extensions["medpass"]["sessions"], client=g.get("api_client"), action=action,
                           interaction=interaction, method=request.method, path=request.full_path.rstrip("?"),
                           status=response.status_code, now=_now())
    return response


@fhir_api.get("/AuditEvent")
def search_audit_events() -> ResponseReturnValue:
    """The newest API interactions (an administrator's scope: system/AuditEvent.s)."""
    _require("AuditEvent", Interaction.SEARCH)
    count = request.args.get("_count", "100")
    if not (count.isascii() and count.isdigit()) or not 0 < int(count) <= 1000:
        raise InvalidRequest("_count must be a whole number from 1 to 1000")
    return fhir(_searchset([audit_event(r) for r in recent_interactions(db_session(), int(count))]))


@fhir_api.get("/metadata")
def metadata() -> ResponseReturnValue:
    """The CapabilityStatement, generated from the same registry the routes follow."""
    return fhir(capability_statement("0.1.0", _now()))


@fhir_api.get("/Patient")
def search_patients() -> ResponseReturnValue:
    """Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|N."""
    _require("Patient", Interaction.SEARCH)
    system, _, value = request.args.get("identifier", "").rpartition("|")
    if system != NHS_NUMBER_SYSTEM or not value:
        raise InvalidRequest(f"search Patient by identifier={NHS_NUMBER_SYSTEM}|<NHS number>")
    return fhir(_searchset([patient_resource(i, d) for i, d in patients_with_nhs_number(db_session(), value)]))


@fhir_api.get("/Patient/<int:patient_id>")
def read_patient(patient_id: int) -> ResponseReturnValue:
    """Patient read."""
    _require("Patient", Interaction.READ)
    return fhir(patient_resource(*patient_by_id(db_session(), patient_id)))


@fhir_api.get("/Patient/<int:patient_id>/$passport")
def passport(patient_id: int) -> ResponseReturnValue:
    """The patient's medication passport as a FHIR document Bundle."""
    _require("Patient", Interaction.READ)
    _, demographics = patient_by_id(db_session(), patient_id)
    return fhir(passport_document(make_passport(db_session(), demographics.nhs_number, _now())))


def _patient_id(parameter: str = "patient") -> int:
    """A patient=Patient/{id} (or {id}) search parameter, or 400."""
    value = request.args.get(parameter, "").removeprefix("Patient/")
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f"search by {parameter}=Patient/<id>")
    return int(value)


@fhir_api.get("/MedicationStatement/<int:statement_id>")
def read_statement(statement_id: int) -> ResponseReturnValue:
    """One feed's statement, as that feed sent it."""
    _require("MedicationStatement", Interaction.READ)
    patient_id, statement = find_statement(db_session(), statement_id)
    return fhir(medication_statement(statement, f"Patient/{patient_id}"))


@fhir_api.get("/MedicationStatement")
def search_statements() -> ResponseReturnValue:
    """MedicationStatement?patient=Patient/{id}: every feed's current statements."""
    _require("MedicationStatement", Interaction.SEARCH)
    args = request.args.to_dict(flat=False)
    query, count, patient_id = statement_query(args), page_size(args), _patient_id()
    snapshot_raw, offset_raw = request.args.get("_snapshot", ""), request.args.get("_offset", "0")
    if not all(v.isascii() and v.isdigit() for v in (snapshot_raw or "0", offset_raw)):
        raise InvalidRequest("_snapshot and _offset come from a next link: whole numbers")
    snapshot, statements = current_statements(db_session(), patient_id, int(snapshot_raw) if snapshot_raw else None)
    found = search(statements, query)
    if request.args.get("_summary") == "count":
        return fhir({"resourceType": "Bundle", "type": "searchset", "total": len(found)})
    offset = int(offset_raw)
    page = found[offset: offset + count]
    bundle = _searchset([medication_statement(s, f"Patient/{patient_id}") for s in page])
    bundle["total"] = len(found)
    if offset + count < len(found):
        following = {**request.args.to_dict(), "_snapshot": str(snapshot), "_offset": str(offset + count)}
        bundle["link"].append({"relation": "next", "url": f"{request.base_url}?{urlencode(following)}"})
    return fhir(bundle)


@fhir_api.get("/List")
def search_lists() -> ResponseReturnValue:
    """List?patient=Patient/{id}: the reconciled medication list."""
    _require("List", Interaction.SEARCH)
    patient_id = _patient_id()
    now = _now()
    resource = reconciled_list(reconciled_for(db_session(), patient_id, now), patient_id, now)
    resource["id"] = f"reconciled-{patient_id}"
    return fhir(_searchset([resource]))


@fhir_api.get("/DetectedIssue")
def search_detected_issues() -> ResponseReturnValue:
    """DetectedIssue?patient=Patient/{id}: the patient's discrepancies, reconciled now."""
    _require("DetectedIssue", Interaction.SEARCH)
    _, demographics = patient_by_id(db_session(), _patient_id())
    found = reconcile_patient(db_session(), demographics.nhs_number, _now())
    return fhir(_searchset([detected_issue(issue) for issue in found.issues]))


def _versioned(issue: StoredIssue, status: int = 200) -> Response:
    """A DetectedIssue with its ETag (W/"version") and Last-Modified."""
    response = fhir(detected_issue(issue), status)
    response.headers["ETag"] = f'W/"{issue_version(issue)}"'
    response.last_modified = last_updated(issue)
    return response


@fhir_api.get("/DetectedIssue/<issue_id>")
def read_detected_issue(issue_id: str) -> ResponseReturnValue:
    """DetectedIssue read, with ETag and Last-Modified."""
    _require("DetectedIssue", Interaction.READ)
    return _versioned(find_detected_issue(db_session(), issue_id))


@fhir_api.put("/DetectedIssue/<issue_id>")
def update_detected_issue(issue_id: str) -> ResponseReturnValue:
    """Record a resolution: status final (accept a feed's version or record a new one) or cancelled (dismiss).

    If-Match (with or without W/) must name the current version, else 412.
    """
    _require("DetectedIssue", Interaction.UPDATE)
    current = find_detected_issue(db_session(), issue_id)
    expected = request.headers.get("If-Match")
    if expected is not None and expected.strip().removeprefix("W/").strip('"') != str(issue_version(current)):
        raise PreconditionFailed(f"If-Match {expected} does not name the current version W/\"{issue_version(current)}\"")
    asked = read_resolution(request.get_json(force=True, silent=True), issue_id)
    client: ApiClient = g.api_client
    who = f"{asked.author} via {client.name} ({client.ods_code})" if asked.author else f"{client.name} ({client.ods_code})"
    resolved = resolve_discrepancy(db_session(), issue_id, by=who, now=_now(), reason=asked.reason, intent=asked.intent,
                                   accept_feed=asked.accept_feed, new_version=asked.new_version, dismiss=asked.dismiss)
    return _versioned(resolved)


