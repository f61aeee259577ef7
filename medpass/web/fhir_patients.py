"""Patients on the FHIR API: search, read, (conditional) create, and their $passport."""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from medpass.domain.clients import Interaction
from medpass.domain.errors import InvalidRequest
from medpass.domain.nhs_number import NHS_NUMBER_SYSTEM, nhs_number_problem, normalise_nhs_number
from medpass.fhir.build_passport import passport_document
from medpass.fhir.build_patient import patient_resource
from medpass.fhir.read_patient import read_patient_resource
from medpass.fhir.search_params import prefixed_time, unsupported
from medpass.services.passport import make_passport
from medpass.services.patients import patient_by_id, patient_version, patients_with_nhs_number, register_patient
from medpass.services.patients import search_patients as search_patients_by
from medpass.web import db_session, medpass_config
from medpass.web.fhir_http import api_now, fhir, json_body, paged, require_scope, versioned

patients = Blueprint("patients", __name__)


def _nhs_number_criterion(value: str) -> str:
    """identifier=https://fhir.nhs.uk/Id/nhs-number|N (the system may be left out), or 400."""
    system, _, number = value.rpartition("|")
    if system not in ("", NHS_NUMBER_SYSTEM) or not number:
        raise InvalidRequest(f"identifier: use {NHS_NUMBER_SYSTEM}|<NHS number>")
    if problem := nhs_number_problem(number):
        raise InvalidRequest(f"identifier: {problem}")
    return number


@patients.get("/Patient")
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


@patients.post("/Patient")
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


@patients.get("/Patient/<int:patient_id>")
def read_patient(patient_id: int) -> ResponseReturnValue:
    """Patient read."""
    require_scope("Patient", Interaction.READ)
    demographics, version, as_of = patient_version(db_session(), patient_id)
    return versioned(patient_resource(patient_id, demographics, version), version, as_of)


@patients.get("/Patient/<int:patient_id>/$passport")
def passport(patient_id: int) -> ResponseReturnValue:
    """The patient's medication passport as a FHIR document Bundle."""
    require_scope("Patient", Interaction.READ)
    _, demographics = patient_by_id(db_session(), patient_id)
    return fhir(passport_document(make_passport(db_session(), demographics.nhs_number, api_now(), medpass_config().reconciliation)))
