"""Read-only resources of the FHIR API: Medication (the dictionary), MedicationRequest, AllergyIntolerance,
Provenance of resolutions, and the CodeSystems medpass publishes."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from medpass.domain.clients import Interaction
from medpass.domain.errors import InvalidRequest, NotFound
from medpass.fhir.build_issues import provenance
from medpass.fhir.build_medication import medication_resource
from medpass.fhir.build_records import allergy_intolerance, medication_request
from medpass.fhir.codes import (
    agreed_state_code_system,
    discrepancy_code_system,
    passport_section_code_system,
    safety_record_code_system,
    task_code_system,
)
from medpass.fhir.search_params import unsupported
from medpass.services.medications import find_medication, medications_with_code
from medpass.services.records import (
    current_allergies,
    current_requests,
    find_allergy,
    find_request,
    issue_provenances,
    provenance_of,
    provenances,
    target_issue,
)
from medpass.web import db_session
from medpass.web.fhir_http import paged, patient_param, require_scope, versioned

CODE_SYSTEMS = {built["id"]: built for built in (discrepancy_code_system(), safety_record_code_system(), task_code_system(),
                                                   passport_section_code_system(), agreed_state_code_system())}

records = Blueprint("records", __name__)


@records.get("/Medication/<dmd_id>")
def read_medication(dmd_id: str) -> ResponseReturnValue:
    """A dm+d product from medpass's dictionary (id = its dm+d ID)."""
    require_scope("Medication", Interaction.READ)
    return versioned(medication_resource(find_medication(dmd_id)), 1, None)


@records.get("/Medication")
def search_medications() -> ResponseReturnValue:
    """Medication?code=[https://dmd.nhs.uk|]<dm+d ID>."""
    require_scope("Medication", Interaction.SEARCH)
    unsupported(request.args, {"code"})
    code = request.args.get("code", "").rpartition("|")[2]
    if not code:
        raise InvalidRequest("search Medication by code=https://dmd.nhs.uk|<dm+d ID>")
    return paged(medications_with_code(code), medication_resource)


@records.get("/MedicationRequest/<int:request_id>")
def read_medication_request(request_id: int) -> ResponseReturnValue:
    """A MedicationRequest a feed sent (a GP plan, a hospital or trust prescription)."""
    require_scope("MedicationRequest", Interaction.READ)
    patient_id, statement = find_request(db_session(), request_id)
    return versioned(medication_request(statement, f"Patient/{patient_id}"), 1, statement.stored_at or statement.message_time)


@records.get("/MedicationRequest")
def search_medication_requests() -> ResponseReturnValue:
    """MedicationRequest?patient=Patient/{id}[&status=...]: those in each feed's current message."""
    require_scope("MedicationRequest", Interaction.SEARCH)
    unsupported(request.args, {"patient", "status"})
    patient_id = patient_param()
    statuses = {v for raw in request.args.getlist("status") for v in raw.split(",") if v}
    found = [s for s in current_requests(db_session(), patient_id) if not statuses or s.entry.source_status in statuses]
    return paged(found, lambda s: medication_request(s, f"Patient/{patient_id}"))


@records.get("/AllergyIntolerance/<int:allergy_id>")
def read_allergy(allergy_id: int) -> ResponseReturnValue:
    """An allergy as a feed recorded it."""
    require_scope("AllergyIntolerance", Interaction.READ)
    patient_id, allergy = find_allergy(db_session(), allergy_id)
    return versioned(allergy_intolerance(allergy, f"Patient/{patient_id}"), 1, allergy.stored_at)


@records.get("/AllergyIntolerance")
def search_allergies() -> ResponseReturnValue:
    """AllergyIntolerance?patient=Patient/{id}: every feed's current allergies (each says which feed)."""
    require_scope("AllergyIntolerance", Interaction.SEARCH)
    unsupported(request.args, {"patient"})
    patient_id = patient_param()
    return paged(current_allergies(db_session(), patient_id), lambda a: allergy_intolerance(a, f"Patient/{patient_id}"))


@records.get("/Provenance/<provenance_id>")
def read_provenance(provenance_id: str) -> ResponseReturnValue:
    """Who resolved, dismissed or reopened a discrepancy, when and why."""
    require_scope("Provenance", Interaction.READ)
    issue, action, index = provenance_of(db_session(), provenance_id)
    return versioned(provenance(issue, action, index), 1, action.recorded_at)


@records.get("/Provenance")
def search_provenance() -> ResponseReturnValue:
    """Provenance?target=DetectedIssue/<id> or ?patient=Patient/{id}: the history of resolutions."""
    require_scope("Provenance", Interaction.SEARCH)
    unsupported(request.args, {"target", "patient"})
    if "target" in request.args:
        found = issue_provenances(db_session(), target_issue(request.args["target"]))
    elif "patient" in request.args:
        found = provenances(db_session(), patient_param())
    else:
        raise InvalidRequest("search Provenance by target=DetectedIssue/<id> or patient=Patient/<id>")
    return paged(found, lambda f: provenance(*f))


@records.get("/CodeSystem/<code_system_id>")
def read_code_system(code_system_id: str) -> ResponseReturnValue:
    """A CodeSystem medpass publishes (discrepancy codes, safety records, change notifications)."""
    require_scope("CodeSystem", Interaction.READ)
    if code_system_id not in CODE_SYSTEMS:
        raise NotFound(f"CodeSystem/{code_system_id} is not published by medpass: {', '.join(sorted(CODE_SYSTEMS))} are")
    return versioned(CODE_SYSTEMS[code_system_id], 1, None)


@records.get("/CodeSystem")
def search_code_systems() -> ResponseReturnValue:
    """CodeSystem?url=...: the CodeSystems medpass publishes (all of them without url)."""
    require_scope("CodeSystem", Interaction.SEARCH)
    unsupported(request.args, {"url"})
    url = request.args.get("url")
    return paged([c for c in CODE_SYSTEMS.values() if url is None or c["url"] == url], lambda c: c)
