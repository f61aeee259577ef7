"""The FHIR R4 REST API at /fhir: thin views over the services, every answer FHIR JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

import jsonpatch
from flask import Blueprint, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotAcceptable, UnsupportedMediaType

from medpass.domain.clients import ApiClient, Interaction
from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.errors import InvalidRequest, Issue, NotAuthenticated, NotFound, NotPermitted, Severity, TooManyRequests
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.nhs_number import NHS_NUMBER_SYSTEM, nhs_number_problem, normalise_nhs_number
from medpass.domain.resolutions import decide
from medpass.domain.statement_search import search
from medpass.fhir.build_audit import audit_event
from medpass.fhir.build_issues import detected_issue, last_updated
from medpass.fhir.build_medication import medication_resource
from medpass.fhir.build_passport import passport_document
from medpass.fhir.build_patient import patient_resource
from medpass.fhir.build_reconciled import reconciled_list
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.codes import CANONICAL_BASE, FEED_SOURCE_PREFIX
from medpass.fhir.outcome import operation_outcome
from medpass.fhir.read_patient import read_patient_resource
from medpass.fhir.read_resolution import read_resolution
from medpass.fhir.registry import capability_statement
from medpass.fhir.search_params import instant_of, page_size, prefixed_time, statement_query, unsupported
from medpass.services.audit import recent_interactions, record_interaction
from medpass.services.clients import authenticate
from medpass.services.ingest import ingest_message
from medpass.services.issue_reads import find_detected_issue
from medpass.services.medications import medications_of
from medpass.services.passport import make_passport
from medpass.services.patients import patient_by_id, patient_version, patients_with_nhs_number, register_patient, stored_message
from medpass.services.patients import search_patients as search_patients_by
from medpass.services.reconcile import reconcile_patient
from medpass.services.resolution import resolve_discrepancy
from medpass.services.statement_reads import current_statements, find_statement, reconciled_for
from medpass.web import close_session, db_session, medpass_config

fhir_api = Blueprint("fhir_api", __name__, url_prefix="/fhir")

T = TypeVar("T")
FHIR_JSON = "application/fhir+json"
_ACCEPTED_BODIES = {"application/fhir+json", "application/json"}
_JSON_FORMATS = {"json", "application/json", FHIR_JSON, "application/fhir+json; fhirversion=4.0"}


def fhir(resource: dict[str, Any], status: int = 200) -> Response:
    """A FHIR JSON response."""
    return Response(json.dumps(resource), status=status, mimetype=FHIR_JSON)


def api_now() -> datetime:
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
    cache = current_app.extensions["medpass"]["client_cache"]
    client = authenticate(db_session(), token.strip(), cache, api_now()) if scheme.lower() == "bearer" and token.strip() else None
    if client is None:
        raise NotAuthenticated("a registered client's bearer token is required (Authorization: Bearer ...)")
    g.api_client = client
    wait = current_app.extensions["medpass"]["rate_limiter"].take(client.client_id, api_now())
    if wait is not None:
        raise TooManyRequests(f"{client.name} made more than its {medpass_config().rate_limit_per_minute} requests a minute", wait)


def require_scope(resource: str, interaction: Interaction) -> None:
    """403 unless the client's scopes allow this interaction on this resource type."""
    client: ApiClient = g.api_client
    if not client.allows(resource, interaction):
        raise NotPermitted(f"scope system/{resource}.{interaction.value} is not granted to {client.name}")


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A searchset Bundle of matches."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    }


def paged(found: Sequence[T], render: Callable[[T], dict[str, Any]], held: dict[str, str] | None = None,
          include: Callable[[Sequence[T]], list[dict[str, Any]]] | None = None) -> Response:
    """One page of a search (`_count`, `_offset`), with its total and a next link; `_summary=count` gives the total only.

    `held` goes into the next link (a snapshot) so that later pages answer the same search as the first;
    `include` gives the resources the page's matches bring with them (search mode include).
    """
    args = request.args.to_dict(flat=False)
    count, offset_raw = page_size(args), request.args.get("_offset", "0")
    if request.args.get("_summary") == "count" or count == 0:
        return fhir({"resourceType": "Bundle", "type": "searchset", "total": len(found)})
    if not (offset_raw.isascii() and offset_raw.isdigit()):
        raise InvalidRequest("_offset comes from a next link: a whole number")
    offset = int(offset_raw)
    page = found[offset: offset + count]
    bundle = searchset([render(item) for item in page])
    bundle["total"] = len(found)
    if include is not None:
        bundle["entry"] += [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
                            for r in include(page)]
    if offset + count < len(found):
        following = {**args, **{k: [v] for k, v in (held or {}).items()}, "_offset": [str(offset + count)]}
        bundle["link"].append({"relation": "next", "url": f"{request.base_url}?{urlencode(following, doseq=True)}"})
    return fhir(bundle)


def history_bundle(versions: list[tuple[dict[str, Any], int]]) -> dict[str, Any]:
    """A history Bundle of a resource's versions, newest first (version 1 was the create)."""
    return {
        "resourceType": "Bundle", "type": "history", "total": len(versions),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r,
                   "request": {"method": "POST" if v == 1 else "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                   "response": {"status": "201 Created" if v == 1 else "200 OK", "etag": f'W/"{v}"'}}
                  for r, v in versions],
    }


def versioned(resource: dict[str, Any], version: int, last_modified: datetime | None, status: int = 200) -> Response:
    """A resource with its ETag (W/"version") and, when medpass knows it, Last-Modified."""
    response = fhir(resource, status)
    response.headers["ETag"] = f'W/"{version}"'
    if last_modified is not None:
        response.last_modified = last_modified
    return response


def if_match() -> int | None:
    """The version an If-Match header names (W/"3", "3" or 3), None without one; 400 when it is not a version."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f'If-Match {header!r} is not a version: send the ETag you read, e.g. W/"1"')
    return int(value)


def json_body() -> Any:
    """The request body as JSON (FHIR JSON or plain JSON); 415 for other media types, 400 when it does not parse."""
    if request.mimetype not in _ACCEPTED_BODIES:
        raise UnsupportedMediaType("send FHIR JSON: Content-Type application/fhir+json")
    try:
        return json.loads(request.get_data())
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the body is not JSON") from None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: an object patch merges key by key (null removes a key); anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


_MERGE_PATCH_TYPES = {"application/merge-patch+json", "application/json", FHIR_JSON}


def patched(current: dict[str, Any]) -> Any:
    """The resource a PATCH makes of `current`: a JSON Patch (RFC 6902, application/json-patch+json), or a JSON Merge
    Patch (RFC 7386: application/merge-patch+json, or a partial resource as application/json, as fhirpy sends); 400
    for a patch that cannot be applied."""
    if request.mimetype not in {"application/json-patch+json", *_MERGE_PATCH_TYPES}:
        raise UnsupportedMediaType("PATCH takes application/json-patch+json (JSON Patch) or application/merge-patch+json")
    try:
        operations = json.loads(request.get_data())
        if request.mimetype in _MERGE_PATCH_TYPES:
            if not isinstance(operations, dict):
                raise ValueError("a merge patch is a JSON object")
            return merge_patch(current, operations)
        return jsonpatch.apply_patch(current, operations)
    except (ValueError, UnicodeDecodeError, TypeError, jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise InvalidRequest(f"the patch cannot be applied: {exc}") from None



@fhir_api.post("")
@fhir_api.post("/")
@fhir_api.post("/Bundle")
def post_bundle() -> ResponseReturnValue:
    """The feeds' way in: a Bundle posted by a client is ingested whole on the one feed that client may write.

    POST [base] answers with an OperationOutcome saying what was stored (batch and transaction with their
    response Bundle); POST [base]/Bundle, a resource create, answers with the stored Bundle. `Prefer:
    return=minimal` or `return=OperationOutcome` chooses otherwise. Location names the stored message.
    """
    require_scope("Bundle", Interaction.CREATE)
    client: ApiClient = g.api_client
    if client.feed is None:
        raise NotPermitted(f"{client.name} is not registered to write any feed")
    if request.mimetype not in _ACCEPTED_BODIES:
        raise UnsupportedMediaType("send the Bundle as application/fhir+json")
    config = medpass_config()
    result = ingest_message(db_session(), client.feed.value, request.get_data(), sender=f"{client.name} ({client.ods_code})",
                            now=api_now(), max_bytes=config.max_message_bytes, fhir_version=request.mimetype_params.get("fhirversion"),
                            network=config.care_network, public_base_url=config.public_base_url,
                            settings=config.reconciliation)
    status = "200 OK" if result.duplicate else "201 Created"
    if result.bundle_type in ("batch", "transaction"):
        return fhir({"resourceType": "Bundle", "type": f"{result.bundle_type}-response",
                     "entry": [{"response": {"status": status}} for _ in range(result.entries)]}, 200)
    issues = [Issue(Severity.INFORMATION, "informational", result.summary()), *result.warnings]
    status_code = 200 if result.duplicate else 201
    prefer = request.headers.get("Prefer", "").replace(" ", "")
    if prefer == "return=minimal":
        response = Response(status=status_code)
    elif request.path.rstrip("/").endswith("/Bundle") and prefer != "return=OperationOutcome":
        response = _stored_bundle(result.message_id, status_code)  # a resource create answers with the resource
    else:
        response = fhir(operation_outcome(issues), status_code)
    response.headers["Location"] = f"{request.url_root}fhir/Bundle/{result.message_id}/_history/1"
    return response


def _stored_bundle(message_id: int, status: int = 200) -> Response:
    """A stored feed message as its sender sent it, with medpass's id in Bundle.id and the feed in meta.source."""
    row, message = stored_message(db_session(), message_id)
    meta = message.get("meta")
    served = {**message, "id": str(row.id),
              "meta": {**(meta if isinstance(meta, dict) else {}), "source": f"{FEED_SOURCE_PREFIX}{row.feed}", "versionId": "1"}}
    return versioned(served, 1, row.received_at, status)


@fhir_api.get("/Bundle/<int:message_id>")
def read_bundle(message_id: int) -> ResponseReturnValue:
    """A feed message as its sender sent it (medpass's id in Bundle.id, the feed in meta.source)."""
    require_scope("Bundle", Interaction.READ)
    return _stored_bundle(message_id)


def _interaction() -> tuple[str, str]:
    """(AuditEvent.action, RESTful interaction) for the request being answered."""
    endpoint = (request.endpoint or "").removeprefix("fhir_api.")
    if request.method == "POST":
        return "C", "create"
    if request.method in ("PUT", "PATCH"):
        return "U", "patch" if request.method == "PATCH" else "update"
    if request.method == "DELETE":
        return "D", "delete"
    if endpoint.startswith("vread_"):
        return "R", "vread"
    if endpoint.endswith("_history_bundle"):
        return "R", "history-instance"
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
        close_session()  # the request's work is done; on SQLite its transaction must not hold the lock the audit needs
        action, interaction = _interaction()
        record_interaction(current_app.extensions["medpass"]["sessions"], client=g.get("api_client"), action=action,
                           interaction=interaction, method=request.method, path=request.full_path.rstrip("?"),
                           status=response.status_code, now=api_now())
    return response


@fhir_api.get("/AuditEvent")
def search_audit_events() -> ResponseReturnValue:
    """The newest API interactions (an administrator's scope: system/AuditEvent.s), by date, action, client and outcome."""
    require_scope("AuditEvent", Interaction.SEARCH)
    unsupported(request.args, {"date", "action", "agent-name", "outcome"})
    count = request.args.get("_count", "100")
    if not (count.isascii() and count.isdigit()) or not 0 < int(count) <= 1000:
        raise InvalidRequest("_count must be a whole number from 1 to 1000")
    bounds = {prefix: instant_of(value) for prefix, value in
              (prefixed_time("date", raw, prefixes=("ge", "lt")) for raw in request.args.getlist("date"))}
    actions = frozenset(v for raw in request.args.getlist("action") for v in raw.split(",") if v)
    if actions - {"C", "R", "U", "D", "E"}:
        raise InvalidRequest("action is C, R, U, D or E")
    outcome = request.args.get("outcome")
    if outcome not in (None, "0", "4", "8"):
        raise InvalidRequest("outcome is 0 (success), 4 (refused: a 4xx answer) or 8 (failed: a 5xx answer)")
    found = recent_interactions(db_session(), int(count), since=bounds.get("ge"), until=bounds.get("lt"), actions=actions,
                                agent_name=request.args.get("agent-name"), outcome=outcome)
    return fhir(searchset([audit_event(r) for r in found]))


@fhir_api.get("/metadata")
def metadata() -> ResponseReturnValue:
    """The CapabilityStatement, generated from the same registry the routes follow."""
    return fhir(capability_statement("0.1.0", api_now()))


def _nhs_number_criterion(value: str) -> str:
    """identifier=https://fhir.nhs.uk/Id/nhs-number|N (the system may be left out), or 400."""
    system, _, number = value.rpartition("|")
    if system not in ("", NHS_NUMBER_SYSTEM) or not number:
        raise InvalidRequest(f"identifier: use {NHS_NUMBER_SYSTEM}|<NHS number>")
    if problem := nhs_number_problem(number):
        raise InvalidRequest(f"identifier: {problem}")
    return number


@fhir_api.get("/Patient")
def search_patients() -> ResponseReturnValue:
    """Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|N, or by name (start of a name) and birthdate."""
    require_scope("Patient", Interaction.SEARCH)
    unsupported(request.args, {"identifier", "name", "birthdate"})
    if "identifier" in request.args:
        found = patients_with_nhs_number(db_session(), _nhs_number_criterion(request.args["identifier"]))
    elif request.args.get("name") or request.args.get("birthdate"):
        birth = request.args.get("birthdate")
        found = search_patients_by(db_session(), name=request.args.get("name") or None,
                                   birth_date=prefixed_time("birthdate", birth, dates_only=True) if birth else None)
    else:
        raise InvalidRequest(f"search Patient by identifier={NHS_NUMBER_SYSTEM}|<NHS number>, name or birthdate")
    return paged(found, lambda p: patient_resource(*p))


@fhir_api.post("/Patient")
def create_patient() -> ResponseReturnValue:
    """Create a Patient (medpass starts to know them); conditional with If-None-Exist or POST Patient?identifier=...

    201 with Location when created; 200 with the existing Patient when the condition matched one; 409 for a
    plain create of an NHS number medpass already knows.
    """
    require_scope("Patient", Interaction.CREATE)
    condition = request.headers.get("If-None-Exist") or (request.query_string.decode() if request.args else "")
    criteria = parse_qs(condition) if condition else {}
    criteria.pop("_format", None)
    if set(criteria) - {"identifier"}:
        raise InvalidRequest("conditional create of a Patient is by identifier=https://fhir.nhs.uk/Id/nhs-number|N only")
    demographics = read_patient_resource(json_body())
    if criteria and normalise_nhs_number(_nhs_number_criterion(criteria["identifier"][0])) != demographics.nhs_number:
        raise InvalidRequest("the condition's NHS number is not the Patient's")
    patient_id, stored, version, created = register_patient(db_session(), demographics, api_now(), only_if_new=bool(criteria))
    response = versioned(patient_resource(patient_id, stored, version), version, api_now(), 201 if created else 200)
    response.headers["Location"] = f"{request.url_root}fhir/Patient/{patient_id}"
    return response


@fhir_api.get("/Patient/<int:patient_id>")
def read_patient(patient_id: int) -> ResponseReturnValue:
    """Patient read."""
    require_scope("Patient", Interaction.READ)
    demographics, version, as_of = patient_version(db_session(), patient_id)
    return versioned(patient_resource(patient_id, demographics, version), version, as_of)


@fhir_api.get("/Patient/<int:patient_id>/$passport")
def passport(patient_id: int) -> ResponseReturnValue:
    """The patient's medication passport as a FHIR document Bundle."""
    require_scope("Patient", Interaction.READ)
    _, demographics = patient_by_id(db_session(), patient_id)
    return fhir(passport_document(make_passport(db_session(), demographics.nhs_number, api_now(), medpass_config().reconciliation)))


def patient_param(parameter: str = "patient") -> int:
    """A patient=Patient/{id} (or {id}) search parameter, or 400."""
    value = request.args.get(parameter, "").removeprefix("Patient/")
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f"search by {parameter}=Patient/<id>")
    return int(value)


def _statement_response(statement_id: int) -> Response:
    """A feed statement with its ETag (always W/"1": statements never change) and Last-Modified."""
    patient_id, statement = find_statement(db_session(), statement_id)
    return versioned(medication_statement(statement, f"Patient/{patient_id}"), 1, statement.stored_at or statement.message_time)


@fhir_api.get("/MedicationStatement/<int:statement_id>")
def read_statement(statement_id: int) -> ResponseReturnValue:
    """One feed's statement, as that feed sent it."""
    require_scope("MedicationStatement", Interaction.READ)
    return _statement_response(statement_id)


@fhir_api.get("/MedicationStatement/<int:statement_id>/_history/<version>")
def vread_statement(statement_id: int, version: str) -> ResponseReturnValue:
    """vread: a statement has only version 1."""
    require_scope("MedicationStatement", Interaction.READ)
    if version != "1":
        raise NotFound(f"MedicationStatement/{statement_id} has only version 1: feed statements never change")
    return _statement_response(statement_id)


@fhir_api.get("/MedicationStatement/<int:statement_id>/_history")
def statement_history_bundle(statement_id: int) -> ResponseReturnValue:
    """_history: the one version of a statement (a feed's next message makes new statements, never new versions)."""
    require_scope("MedicationStatement", Interaction.READ)
    patient_id, statement = find_statement(db_session(), statement_id)
    resource = medication_statement(statement, f"Patient/{patient_id}")
    return fhir(history_bundle([(resource, 1)]))


@fhir_api.get("/MedicationStatement")
def search_statements() -> ResponseReturnValue:
    """MedicationStatement?patient=Patient/{id}: every feed's current statements."""
    require_scope("MedicationStatement", Interaction.SEARCH)
    query, patient_id = statement_query(request.args.to_dict(flat=False)), patient_param()
    snapshot_raw = request.args.get("_snapshot", "")
    if not (snapshot_raw or "0").isascii() or not (snapshot_raw or "0").isdigit():
        raise InvalidRequest("_snapshot comes from a next link: a whole number")
    snapshot, statements = current_statements(db_session(), patient_id, int(snapshot_raw) if snapshot_raw else None)
    found = search(statements, query)
    include = (lambda page: [medication_resource(p) for p in medications_of(list(page))]) if request.args.get("_include") else None
    return paged(found, lambda s: medication_statement(s, f"Patient/{patient_id}"), {"_snapshot": str(snapshot)}, include)


@fhir_api.get("/List")
def search_lists() -> ResponseReturnValue:
    """List?patient=Patient/{id}: the reconciled medication list."""
    require_scope("List", Interaction.SEARCH)
    patient_id = patient_param()
    now = api_now()
    resource = reconciled_list(reconciled_for(db_session(), patient_id, now, medpass_config().reconciliation), patient_id, now)
    resource["id"] = f"reconciled-{patient_id}"
    return fhir(searchset([resource]))


@fhir_api.get("/DetectedIssue")
def search_detected_issues() -> ResponseReturnValue:
    """DetectedIssue?patient=Patient/{id}: the patient's discrepancies, reconciled now."""
    require_scope("DetectedIssue", Interaction.SEARCH)
    unsupported(request.args, {"patient", "status", "code"})
    statuses = {v for raw in request.args.getlist("status") for v in raw.split(",") if v}
    if bad := statuses - {s.value for s in IssueStatus}:
        raise InvalidRequest(f"status {sorted(bad)[0]!r}: preliminary (open), final (resolved) or cancelled (dismissed)")
    codes = {v.rpartition("|")[2] for raw in request.args.getlist("code") for v in raw.split(",") if v}
    if bad := codes - {c.value for c in DiscrepancyCode}:
        raise InvalidRequest(f"code {sorted(bad)[0]!r} is not a medpass discrepancy code (see CodeSystem/medication-discrepancy)")
    _, demographics = patient_by_id(db_session(), patient_param())
    found = reconcile_patient(db_session(), demographics.nhs_number, api_now(), medpass_config().reconciliation)
    return paged([i for i in found.issues if (not statuses or i.status.value in statuses) and (not codes or i.code in codes)],
                 detected_issue)


def _issue_response(issue: StoredIssue) -> Response:
    """A DetectedIssue with its ETag and Last-Modified."""
    return versioned(detected_issue(issue), issue.version, last_updated(issue))


@fhir_api.get("/DetectedIssue/<issue_id>")
def read_detected_issue(issue_id: str) -> ResponseReturnValue:
    """DetectedIssue read, with ETag and Last-Modified."""
    require_scope("DetectedIssue", Interaction.READ)
    return _issue_response(find_detected_issue(db_session(), issue_id))


def _resolve(issue_id: str, resource: Any) -> Response:
    """Record the resolution a DetectedIssue sent back asks for, under If-Match."""
    expected = if_match()
    asked = read_resolution(resource, issue_id)
    client: ApiClient = g.api_client
    who = f"{asked.author} via {client.name} ({client.ods_code})" if asked.author else f"{client.name} ({client.ods_code})"
    decision = decide(asked.kind, reason=asked.reason, by=who, at=api_now(), intent=asked.intent, accepted_feed=asked.accept_feed,
                      new_version=asked.new_version, medicine=asked.medicine)
    return _issue_response(resolve_discrepancy(db_session(), issue_id, decision, expected_version=expected))


@fhir_api.put("/DetectedIssue/<issue_id>")
def update_detected_issue(issue_id: str) -> ResponseReturnValue:
    """Record a resolution: status final (accept a feed's version or record a new one) or cancelled (dismiss).

    If-Match (with or without W/) must name the current version, else 412.
    """
    require_scope("DetectedIssue", Interaction.UPDATE)
    return _resolve(issue_id, request.get_json(force=True, silent=True))


@fhir_api.patch("/DetectedIssue/<issue_id>")
def update_detected_issue_by_patch(issue_id: str) -> ResponseReturnValue:
    """The same as PUT, as a JSON Patch on the current DetectedIssue (e.g. replace /status, add /mitigation/-)."""
    require_scope("DetectedIssue", Interaction.UPDATE)
    current = find_detected_issue(db_session(), issue_id)
    return _resolve(issue_id, patched(detected_issue(current)))
