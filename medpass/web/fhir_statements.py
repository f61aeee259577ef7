"""What the feeds say and what is agreed, on the FHIR API: MedicationStatements and the reconciled List."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from medpass.domain.clients import Interaction
from medpass.domain.errors import InvalidRequest, NotFound
from medpass.domain.statement_search import search
from medpass.fhir.build_medication import medication_resource
from medpass.fhir.build_reconciled import reconciled_list
from medpass.fhir.build_statement import medication_statement
from medpass.fhir.search_params import statement_query
from medpass.services.medications import medications_of
from medpass.services.statement_reads import current_statements, find_statement, reconciled_for
from medpass.web import db_session, medpass_config
from medpass.web.fhir_http import api_now, fhir, history_bundle, paged, patient_param, require_scope, searchset, versioned

statements = Blueprint("statements", __name__)


def _statement_response(statement_id: int) -> Response:
    """A feed statement with its ETag (always W/"1": statements never change) and Last-Modified."""
    patient_id, statement = find_statement(db_session(), statement_id)
    return versioned(medication_statement(statement, f"Patient/{patient_id}"), 1, statement.stored_at or statement.message_time)


@statements.get("/MedicationStatement/<int:statement_id>")
def read_statement(statement_id: int) -> ResponseReturnValue:
    """One feed's statement, as that feed sent it."""
    require_scope("MedicationStatement", Interaction.READ)
    return _statement_response(statement_id)


@statements.get("/MedicationStatement/<int:statement_id>/_history/<version>")
def vread_statement(statement_id: int, version: str) -> ResponseReturnValue:
    """vread: a statement has only version 1."""
    require_scope("MedicationStatement", Interaction.READ)
    if version != "1":
        raise NotFound(f"MedicationStatement/{statement_id} has only version 1: feed statements never change")
    return _statement_response(statement_id)


@statements.get("/MedicationStatement/<int:statement_id>/_history")
def statement_history_bundle(statement_id: int) -> ResponseReturnValue:
    """_history: the one version of a statement (a feed's next message makes new statements, never new versions)."""
    require_scope("MedicationStatement", Interaction.READ)
    patient_id, statement = find_statement(db_session(), statement_id)
    resource = medication_statement(statement, f"Patient/{patient_id}")
    return fhir(history_bundle([(resource, 1)]))


@statements.get("/MedicationStatement")
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


@statements.get("/List")
def search_lists() -> ResponseReturnValue:
    """List?patient=Patient/{id}: the reconciled medication list."""
    require_scope("List", Interaction.SEARCH)
    patient_id = patient_param()
    now = api_now()
    resource = reconciled_list(reconciled_for(db_session(), patient_id, now, medpass_config().reconciliation), patient_id, now)
    resource["id"] = f"reconciled-{patient_id}"
    return fhir(searchset([resource]))
