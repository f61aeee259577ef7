"""Reading a validated message into medpass's model: every FHIR shape the feeds use, nothing dropped."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from medpass.domain.errors import UnsupportedVersion
from medpass.domain.feeds import Feed
from medpass.domain.medications import ChangeStatus, ListKind, PrescriberOfRecord
from medpass.domain.messages import FeedMessage
from medpass.fhir.read_message import read_feed_message
from tests.conftest import shared_path
from tests.messages import PATIENT_URL, bundle, encode, statement

LIMIT = 5 * 1024 * 1024


def read(message: dict[str, Any] | bytes, feed: Feed = Feed.GP) -> FeedMessage:
    """Read a message for a feed."""
    raw = message if isinstance(message, bytes) else encode(message)
    return read_feed_message(raw, feed, LIMIT)[0]


def shared_json(relative: str) -> dict[str, Any]:
    """A public example resource from ../shared/fhir."""
    loaded: dict[str, Any] = json.loads(shared_path(f"fhir/{relative}").read_text())
    return loaded


def with_statement(resource: dict[str, Any]) -> dict[str, Any]:
    """The small message with its statement replaced by a public example statement about our patient."""
    message = bundle()
    resource = dict(resource, subject={"reference": PATIENT_URL})
    message["entry"][1]["resource"] = resource
    return message


def test_folds_gp_connect_plans_and_issues_into_each_statement() -> None:
    message = read(shared_path("fhir/gp-connect/meds_response.json").read_bytes())
    amoxicillin, aspirin = message.medications
    assert message.fhir_version == "3.0.2"
    assert (aspirin.status, aspirin.plan_id, aspirin.last_issue_date) == ("active", "8e078d04-8312-433a-b6b4-46bf52542b0c", "2016-09-11")
    assert amoxicillin.status == "completed" and amoxicillin.prescriber is PrescriberOfRecord.GP_PRACTICE
    assert aspirin.dosage_text == "TAKE ONE DAILY" and aspirin.list_kind is ListKind.MEDICATIONS


def test_finds_the_gp_practice_of_a_gp_connect_patient_through_managing_organization() -> None:
    demographics = read(shared_path("fhir/gp-connect/meds_response.json").read_bytes()).demographics
    assert demographics.gp_practice is not None
    assert (demographics.gp_practice.ods_code, demographics.gp_practice.name) == ("O001", "The Trevelyan Practice")
    assert (demographics.nhs_number, demographics.family, demographics.birth_date) == ("9999999999", "Jackson", "1952-05-31")


def test_takes_the_message_time_from_the_gp_connect_list_when_the_bundle_has_none() -> None:
    asserted = read(shared_path("fhir/gp-connect/meds_response.json").read_bytes()).asserted_at
    assert asserted is not None and asserted.isoformat() == "2018-03-01T10:57:34+00:00"


def test_reads_the_uk_core_r4_change_summary_with_its_reason() -> None:
    entry = read(with_statement(shared_json("uk-core-examples/UKCore-Extension-MedicationChangeSummary-Example.json"))).medications[0]
    assert entry.change is not None
    change = (entry.change.status, entry.change.reason, entry.change.date_changed)
    assert change == (ChangeStatus.AMENDED, "Tablets too large to swallow", "2020-07-21")
    assert entry.change.details is not None and entry.change.details.startswith("Changed from tablet form to solution")


def test_reads_the_stu3_careconnect_change_summary_with_capitalised_codes() -> None:
    message = bundle()
    statement(message)["extension"] = [{
        "url": "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-MedicationChangeSummary-1",
        "extension": [{"url": "status", "valueCode": "On-hold"}, {"url": "dateChanged", "valueDateTime": "2026-10-02"}],
    }]
    change = read(message, Feed.ACUTE).medications[0].change
    assert change is not None and (change.status, change.reason) == (ChangeStatus.ON_HOLD, None)


def test_an_unknown_change_status_is_warned_about_not_guessed() -> None:
    message = bundle()
    statement(message)["extension"] = [{
        "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-MedicationChangeSummary",
        "extension": [{"url": "status", "valueCoding": {"code": "stopped"}}],
    }]
    read_message = read(message, Feed.ACUTE)
    assert read_message.medications[0].change is None
    assert any("'stopped' is not Continued/Added/Amended/On-hold" in w.diagnostics for w in read_message.warnings)


def test_reads_the_uk_core_prescriber_of_record() -> None:
    example = shared_json("uk-core-examples/UKCore-Extension-MedicationPrescribingOrganizationType-Example.json")
    assert read(with_statement(example)).medications[0].prescriber is PrescriberOfRecord.GP_PRACTICE


def test_parses_structured_dosage_and_keeps_the_text() -> None:
    example = shared_json("uk-core-examples/UKCore-MedicationStatement-Amoxicillin-Example.json")
    entry = read(with_statement(example)).medications[0]
    (dosage,) = entry.dosages
    assert entry.indication == "Otitis media"
    assert dosage.text == "2 capsules 4 times a day."
    assert (dosage.frequency, dosage.period, dosage.period_unit) == (4, Decimal(1), "d")
    assert (dosage.dose_value, dosage.dose_unit, dosage.as_needed) == (Decimal(500), "mg", True)
    assert dosage.route is not None and dosage.route.code == "26643006"


@pytest.mark.parametrize("system", ["https://dmd.nhs.uk", "http://dmd.nhs.uk", "http://snomed.info/sct"])
def test_treats_the_three_dmd_systems_as_one_and_keeps_the_original(system: str) -> None:
    message = bundle()
    statement(message)["medicationCodeableConcept"]["coding"][0]["system"] = system
    medicine = read(message).medications[0].medicine
    assert medicine.dmd_coding is not None and medicine.dmd_coding.code == "39704111000001102"
    assert medicine.codings[0].system == system


def test_keeps_a_transfer_degraded_entry_by_its_text() -> None:
    message = bundle()
    medication = shared_json("uk-core-examples/UKCore-Medication-Sn-TransferDegradedMedEntry-Example.json")
    statement(message).pop("medicationCodeableConcept")
    statement(message)["contained"] = [dict(medication, id="degraded")]
    statement(message)["medicationReference"] = {"reference": "#degraded"}
    medicine = read(message).medications[0].medicine
    assert medicine.is_transfer_degraded and medicine.name == "Aspirin 75mg dispersible tablet"
    assert medicine.dmd_coding is None


def test_keeps_an_uncoded_medicine_and_one_whose_medication_is_missing() -> None:
    message = bundle()
    statement(message)["medicationCodeableConcept"] = {"text": "Herbal sleep remedy"}
    missing = {"reference": "Medication/gone", "display": "Depot"}
    message["entry"].append({"resource": dict(statement(bundle()), medicationReference=missing)})
    message["entry"][2]["resource"].pop("medicationCodeableConcept")
    read_message = read(message)
    assert [m.medicine.name for m in read_message.medications] == ["Herbal sleep remedy", "Depot"]
    assert any(w.location == "Bundle.entry[2].resource.medicationReference" for w in read_message.warnings)


def _medication_list(**fields: Any) -> dict[str, Any]:
    """A medication List about the test patient."""
    return {"resourceType": "List", "status": "current", "mode": "snapshot", "subject": {"reference": PATIENT_URL},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "933361000000108"}]}, **fields}


def test_a_medication_list_with_an_empty_reason_means_not_known() -> None:
    message = bundle()
    message["entry"][1:] = [{"resource": _medication_list(emptyReason={"text": "Information not available"})}]
    state = read(message).medication_list
    assert not state.known and state.reason is not None and "Information not available" in state.reason


def test_a_message_with_no_medication_content_means_not_known() -> None:
    message = bundle()
    del message["entry"][1]
    assert not read(message).medication_list.known


def test_a_discharge_document_without_a_medication_section_means_not_known() -> None:
    message = bundle(type="document")
    composition = {"resourceType": "Composition", "status": "final", "type": {"text": "Discharge summary"},
                   "subject": {"reference": PATIENT_URL}, "date": "2026-11-02", "author": [{"display": "Ward 5"}],
                   "title": "Discharge summary", "section": [{"title": "Clinical summary", "text": {"status": "generated",
                   "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Admitted with a fall.</div>"}}]}
    message["entry"].insert(0, {"resource": composition})
    state = read(message, Feed.ACUTE).medication_list
    assert not state.known and "no medication section" in (state.reason or "")


def test_marks_statements_in_the_discontinued_list() -> None:
    message = bundle()
    statement(message).update(status="stopped", statusReason=[{"text": "Gastrointestinal bleed"}])
    discontinued = _medication_list(code={"coding": [{"system": "http://snomed.info/sct", "code": "1102191000000100"}]},
                                    entry=[{"item": {"reference": message["entry"][1]["fullUrl"]}}])
    message["entry"].append({"resource": discontinued})
    entry = read(message, Feed.ACUTE).medications[0]
    assert (entry.list_kind, entry.status, entry.status_reason) == (ListKind.DISCONTINUED, "stopped", "Gastrointestinal bleed")


def test_carries_the_last_depot_dose_from_the_newest_completed_administration() -> None:
    message = bundle()
    administrations = []
    for index, (status, when) in enumerate([("completed", "2026-10-01"), ("completed", "2026-10-15"), ("not-done", "2026-10-29")]):
        url = f"urn:uuid:00000000-0000-4000-8000-0000000001{index:02d}"
        administrations.append({"fullUrl": url, "resource": {
            "resourceType": "MedicationAdministration", "status": status, "effectiveDateTime": when,
            "medicationCodeableConcept": {"text": "Zuclopenthixol decanoate"}, "subject": {"reference": PATIENT_URL}}})
    message["entry"] += administrations
    statement(message)["partOf"] = [{"reference": a["fullUrl"]} for a in administrations]
    assert read(message, Feed.MENTAL_HEALTH).medications[0].last_dose_date == "2026-10-15"


def test_reads_a_hospital_prescription_as_an_entry_with_its_status_mapped() -> None:
    message = bundle()
    message["entry"][1]["resource"] = {"resourceType": "MedicationRequest", "status": "cancelled", "intent": "order",
                                       "medicationCodeableConcept": {"text": "Haloperidol 5mg tablets"},
                                       "subject": {"reference": PATIENT_URL}, "authoredOn": "2026-10-03",
                                       "dosageInstruction": [{"text": "5mg at night"}]}
    entry = read(message, Feed.ACUTE).medications[0]
    assert (entry.source_type, entry.status, entry.source_status) == ("MedicationRequest", "stopped", "cancelled")


def test_the_mental_health_feed_takes_only_r4() -> None:
    with pytest.raises(UnsupportedVersion):
        read(shared_path("fhir/gp-connect/meds_response.json").read_bytes(), Feed.MENTAL_HEALTH)


@pytest.mark.parametrize("bundle_type", ["collection", "transaction", "batch", "document", "searchset", "message"])
def test_reads_every_bundle_type_a_feed_may_send(bundle_type: str) -> None:
    message = bundle(type=bundle_type)
    if bundle_type in ("transaction", "batch"):
        for entry in message["entry"]:
            entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    read_message = read(message)
    assert read_message.bundle_type == bundle_type and read_message.medications[0].medicine.name == "Sertraline 50mg tablets"


def test_a_null_given_name_is_skipped_not_a_crash() -> None:
    message = bundle()
    message["entry"][0]["resource"]["name"][0]["given"] = [None, "Ada"]
    assert read(message).demographics.given == "Ada"
