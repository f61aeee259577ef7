"""The audit trail on the FHIR API: AuditEvent search."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from medpass.domain.clients import Interaction
from medpass.domain.errors import InvalidRequest
from medpass.fhir.build_audit import audit_event
from medpass.fhir.search_params import instant_of, prefixed_time, unsupported
from medpass.services.audit import recent_interactions
from medpass.web import db_session
from medpass.web.fhir_http import fhir, require_scope, searchset

audit = Blueprint("audit", __name__)


@audit.get("/AuditEvent")
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
