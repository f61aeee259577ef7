"""Feed messages on the FHIR API: a feed system posts a Bundle, and reads back what it stored."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import UnsupportedMediaType

from medpass.domain.clients import ApiClient, Interaction
from medpass.domain.errors import Issue, NotPermitted, Severity
from medpass.fhir.codes import FEED_SOURCE_PREFIX
from medpass.fhir.outcome import operation_outcome
from medpass.services.ingest import ingest_message
from medpass.services.patients import stored_message
from medpass.web import db_session, medpass_config
from medpass.web.fhir_http import ACCEPTED_BODIES, api_now, fhir, require_scope, versioned

feeds = Blueprint("feeds", __name__)


@feeds.post("")
@feeds.post("/")
@feeds.post("/Bundle")
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
    if request.mimetype not in ACCEPTED_BODIES:
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


@feeds.get("/Bundle/<int:message_id>")
def read_bundle(message_id: int) -> ResponseReturnValue:
    """A feed message as its sender sent it (medpass's id in Bundle.id, the feed in meta.source)."""
    require_scope("Bundle", Interaction.READ)
    return _stored_bundle(message_id)
