"""The FHIR R4 REST API at /fhir: one blueprint per resource family under this one, the one guard every request
passes (content negotiation, the client's bearer token, its rate), the audit of every interaction, and the
CapabilityStatement. The views are thin: parse, call one service, build FHIR (web/fhir_http.py has the shared parts)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotAcceptable

from medpass.domain.errors import InvalidRequest, NotAuthenticated, TooManyRequests
from medpass.fhir.registry import capability_statement
from medpass.services.audit import record_interaction
from medpass.services.clients import authenticate
from medpass.web import close_session, db_session, medpass_config
from medpass.web.fhir_audit import audit
from medpass.web.fhir_feeds import feeds
from medpass.web.fhir_http import FHIR_JSON, api_now, fhir
from medpass.web.fhir_issues import issues
from medpass.web.fhir_notifications import notifications
from medpass.web.fhir_patients import patients
from medpass.web.fhir_records import records
from medpass.web.fhir_statements import statements

fhir_api = Blueprint("fhir_api", __name__, url_prefix="/fhir")
for _family in (feeds, patients, statements, issues, notifications, records, audit):  # one blueprint per resource family
    fhir_api.register_blueprint(_family)


_JSON_FORMATS = {"json", "application/json", FHIR_JSON, "application/fhir+json; fhirversion=4.0"}


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


def _interaction() -> tuple[str, str]:
    """(AuditEvent.action, RESTful interaction) for the request being answered."""
    endpoint = (request.endpoint or "").rpartition(".")[2]
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


@fhir_api.get("/metadata")
def metadata() -> ResponseReturnValue:
    """The CapabilityStatement, generated from the same registry the routes follow."""
    return fhir(capability_statement("0.1.0", api_now()))
