"""What the feeds sent, served back: MedicationRequests and AllergyIntolerances as R4 resources naming their feed."""

from __future__ import annotations

from typing import Any

from medpass.domain.allergies import FeedAllergy
from medpass.domain.lines import FeedStatement
from medpass.fhir.build_statement import dosage_element
from medpass.fhir.codes import FEED_SOURCE_PREFIX

_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
#: R4 required bindings: a value outside them (a sender's local code) is kept in the stored message, not served.
_CLINICAL_CODES = frozenset({"active", "inactive", "resolved"})
_VERIFICATION_CODES = frozenset({"unconfirmed", "confirmed", "refuted", "entered-in-error"})
_CRITICALITY = frozenset({"low", "high", "unable-to-assess"})
_CATEGORIES = frozenset({"food", "medication", "environment", "biologic"})
_REQUEST_STATUSES = frozenset({"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"})


def _meta(feed_value: str, stored: str | None) -> dict[str, Any]:
    """meta: one version, when medpass stored it, and the feed it came from."""
    return {"versionId": "1", "source": f"{FEED_SOURCE_PREFIX}{feed_value}", **({"lastUpdated": stored} if stored else {})}


def _concept(codings: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """A CodeableConcept with the sender's codings and a text."""
    return {**({"coding": codings} if codings else {}), "text": text}


def _codings(statement_codings: Any) -> list[dict[str, Any]]:
    """Codings back as FHIR, empty parts left out."""
    return [{k: v for k, v in (("system", c.system), ("code", c.code), ("display", c.display)) if v} for c in statement_codings]


def medication_request(statement: FeedStatement, patient_reference: str) -> dict[str, Any]:
    """A feed's MedicationRequest (a GP plan, or a hospital or trust prescription) as R4; intent plan or order."""
    entry = statement.entry
    stored = statement.stored_at.strftime("%Y-%m-%dT%H:%M:%SZ") if statement.stored_at else None
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": statement.reference.split("/", 1)[1],
        "meta": _meta(statement.feed.value, stored),
        "status": entry.source_status if entry.source_status in _REQUEST_STATUSES else "unknown",
        "intent": "plan" if entry.plan_id else "order",
        "medicationCodeableConcept": _concept(_codings(entry.medicine.codings), entry.medicine.name),
        "subject": {"reference": patient_reference},
        "dosageInstruction": [dosage_element(d) for d in entry.dosages],
    }
    if entry.date_asserted:
        resource["authoredOn"] = entry.date_asserted
    if entry.status_reason:
        resource["statusReason"] = {"text": entry.status_reason}
    if entry.indication:
        resource["reasonCode"] = [{"text": entry.indication}]
    if entry.effective_start or entry.effective_end:
        period = {k: v for k, v in (("start", entry.effective_start), ("end", entry.effective_end)) if v}
        resource["dispenseRequest"] = {"validityPeriod": period}
    return resource


def allergy_intolerance(feed_allergy: FeedAllergy, patient_reference: str) -> dict[str, Any]:
    """One feed's AllergyIntolerance as R4 (statuses as CodeableConcepts, as R4 has them)."""
    allergy = feed_allergy.allergy
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "id": feed_allergy.reference.split("/", 1)[1],
        "meta": _meta(feed_allergy.feed.value, feed_allergy.stored_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "code": _concept(_codings(allergy.substance.codings), allergy.substance.name),
        "patient": {"reference": patient_reference},
    }
    if allergy.clinical_status in _CLINICAL_CODES:
        resource["clinicalStatus"] = {"coding": [{"system": _CLINICAL, "code": allergy.clinical_status}]}
    if allergy.verification_status in _VERIFICATION_CODES:
        resource["verificationStatus"] = {"coding": [{"system": _VERIFICATION, "code": allergy.verification_status}]}
    if allergy.criticality in _CRITICALITY:
        resource["criticality"] = allergy.criticality
    if categories := [c for c in allergy.categories if c in _CATEGORIES]:
        resource["category"] = categories
    if allergy.recorded_date:
        resource["recordedDate"] = allergy.recorded_date
    if allergy.reactions:
        resource["reaction"] = [{"manifestation": [{"text": reaction} for reaction in allergy.reactions]}]
    if allergy.note:
        resource["note"] = [{"text": allergy.note}]
    return resource
