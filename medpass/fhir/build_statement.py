"""A feed's statement as an R4 MedicationStatement: what medpass serves, pointing back at its feed."""

from __future__ import annotations

from typing import Any

from medpass.domain.lines import FeedStatement
from medpass.domain.medications import Dosage
from medpass.fhir.codes import FEED_SOURCE_PREFIX
from medpass.fhir.read_medications import CHANGE_SUMMARY_EXTENSIONS, PRESCRIBER_EXTENSIONS

_PRESCRIBER_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-MedicationPrescribingOrganizationType"
_CHANGE_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-MedicationChangeStatus"


def dosage_element(dosage: Dosage) -> dict[str, Any]:
    """One Dosage back as FHIR, text first."""
    built: dict[str, Any] = {}
    if dosage.text:
        built["text"] = dosage.text
    if dosage.patient_instruction:
        built["patientInstruction"] = dosage.patient_instruction
    repeat: dict[str, Any] = {}
    if dosage.frequency is not None:
        repeat["frequency"] = dosage.frequency
    if dosage.period is not None:
        repeat["period"] = float(dosage.period)
    if dosage.period_unit:
        repeat["periodUnit"] = dosage.period_unit
    if dosage.when:
        repeat["when"] = list(dosage.when)
    if dosage.day_of_week:
        repeat["dayOfWeek"] = list(dosage.day_of_week)
    if repeat:
        built["timing"] = {"repeat": repeat}
    if dosage.as_needed:
        built["asNeededBoolean"] = True
    if dosage.route is not None:
        built["route"] = {"coding": [{k: v for k, v in (("system", dosage.route.system), ("code", dosage.route.code),
                                                        ("display", dosage.route.display)) if v}]}
    if dosage.dose_value is not None:
        quantity: dict[str, Any] = {"value": float(dosage.dose_value)}
        if dosage.dose_unit:
            quantity["unit"] = dosage.dose_unit
        built["doseAndRate"] = [{"doseQuantity": quantity}]
    return built


def _effective(statement: FeedStatement) -> dict[str, Any]:
    """effectivePeriod from the entry's start and end."""
    entry = statement.entry
    period = {k: v for k, v in (("start", entry.effective_start), ("end", entry.effective_end)) if v}
    return {"effectivePeriod": period} if period else {}


def _extensions(statement: FeedStatement) -> list[dict[str, Any]]:
    """Prescriber of record and change summary, in their UK Core R4 forms."""
    entry = statement.entry
    found: list[dict[str, Any]] = []
    if entry.prescriber is not None:
        found.append({"url": PRESCRIBER_EXTENSIONS[0],
                      "valueCodeableConcept": {"coding": [{"system": _PRESCRIBER_SYSTEM, "code": entry.prescriber.value}]}})
    if entry.change is not None:
        parts: list[dict[str, Any]] = [{"url": "status", "valueCoding": {"system": _CHANGE_SYSTEM, "code": entry.change.status.value}}]
        if entry.change.reason:
            parts.append({"url": "indicationForChange", "valueCodeableConcept": {"text": entry.change.reason}})
        if entry.change.date_changed:
            parts.append({"url": "dateChanged", "valueDateTime": entry.change.date_changed})
        if entry.change.details:
            parts.append({"url": "detailsOfAmendment", "valueString": entry.change.details})
        found.append({"url": CHANGE_SUMMARY_EXTENSIONS[0], "extension": parts})
    return found


def medication_statement(statement: FeedStatement, patient_reference: str) -> dict[str, Any]:
    """An R4 MedicationStatement for one feed statement; `meta.source` names the feed it came from.

    A feed statement never changes once stored (a new message makes new statements), so it has one version;
    meta.lastUpdated is when medpass stored the message that carried it.
    """
    entry = statement.entry
    medicine = entry.medicine
    concept: dict[str, Any] = {}
    codings = [{k: v for k, v in (("system", c.system), ("code", c.code), ("display", c.display)) if v} for c in medicine.codings]
    if codings:
        concept["coding"] = codings
    concept["text"] = medicine.name
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": statement.reference.split("/", 1)[1],
        "meta": {"versionId": "1", "source": f"{FEED_SOURCE_PREFIX}{statement.feed.value}",
                 **({"lastUpdated": statement.stored_at.strftime("%Y-%m-%dT%H:%M:%SZ")} if statement.stored_at else {})},
        "status": entry.status,
        "medicationCodeableConcept": concept,
        "subject": {"reference": patient_reference},
        "informationSource": {"display": statement.feed.heading},
        "dosage": [dosage_element(d) for d in entry.dosages],
        **_effective(statement),
    }
    if entry.status_reason:
        resource["statusReason"] = [{"text": entry.status_reason}]
    if entry.date_asserted:
        resource["dateAsserted"] = entry.date_asserted
    if entry.indication:
        resource["reasonCode"] = [{"text": entry.indication}]
    extensions = _extensions(statement)
    if extensions:
        resource["extension"] = extensions
    return resource
