"""Discrepancies on the FHIR API: DetectedIssue search and read, and the decisions clients record on them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request
from flask.typing import ResponseReturnValue

from medpass.domain.clients import ApiClient, Interaction
from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.errors import InvalidRequest
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.resolutions import decide
from medpass.fhir.build_issues import detected_issue, last_updated
from medpass.fhir.read_resolution import read_resolution
from medpass.fhir.search_params import unsupported
from medpass.services.issue_reads import find_detected_issue
from medpass.services.patients import patient_by_id
from medpass.services.reconcile import reconcile_patient
from medpass.services.resolution import resolve_discrepancy
from medpass.web import db_session, medpass_config
from medpass.web.fhir_http import api_now, if_match, paged, patched, patient_param, require_scope, versioned

issues = Blueprint("issues", __name__)


@issues.get("/DetectedIssue")
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


@issues.get("/DetectedIssue/<issue_id>")
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


@issues.put("/DetectedIssue/<issue_id>")
def update_detected_issue(issue_id: str) -> ResponseReturnValue:
    """Record a resolution: status final (accept a feed's version or record a new one) or cancelled (dismiss).

    If-Match (with or without W/) must name the current version, else 412.
    """
    require_scope("DetectedIssue", Interaction.UPDATE)
    return _resolve(issue_id, request.get_json(force=True, silent=True))


@issues.patch("/DetectedIssue/<issue_id>")
def update_detected_issue_by_patch(issue_id: str) -> ResponseReturnValue:
    """The same as PUT, as a JSON Patch on the current DetectedIssue (e.g. replace /status, add /mitigation/-)."""
    require_scope("DetectedIssue", Interaction.UPDATE)
    current = find_detected_issue(db_session(), issue_id)
    return _resolve(issue_id, patched(detected_issue(current)))
