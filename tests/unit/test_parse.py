"""Reading raw bytes into a validated Bundle: every kind of bad input says what and where."""

import json

import pytest

from medpass.domain.errors import MessageRejected, PayloadTooLarge, UnsupportedVersion
from medpass.fhir.models import FhirVersion
from medpass.fhir.parse import canonical_hash, parse_bundle
from tests.messages import bundle, encode, statement

LIMIT = 5 * 1024 * 1024


def rejection(raw: bytes, limit: int = LIMIT, version: str | None = None) -> MessageRejected:
    """The rejection `raw` must cause."""
    with pytest.raises(MessageRejected) as caught:
        parse_bundle(raw, limit, version)
    return caught.value


def test_accepts_a_small_r4_bundle_as_r4() -> None:
    parsed = parse_bundle(encode(bundle()), LIMIT)
    assert parsed.version is FhirVersion.R4 and parsed.warnings == ()


def test_reports_malformed_json_with_line_and_column() -> None:
    issue = rejection(b'{"resourceType": "Bundle",\n  "type": }').issues[0]
    assert issue.code == "structure" and "line 2 column 11" in issue.diagnostics


def test_rejects_text_that_is_not_utf8() -> None:
    assert "not UTF-8" in rejection(b'{"a": "\xff"}').issues[0].diagnostics


def test_rejects_a_resource_that_is_not_a_bundle() -> None:
    issue = rejection(encode({"resourceType": "MedicationStatement", "status": "active"})).issues[0]
    assert "must be a FHIR Bundle" in issue.diagnostics and issue.location == "MedicationStatement"


def test_rejects_a_bundle_type_that_is_not_a_feed_message() -> None:
    issue = rejection(encode(bundle(type="batch-response"))).issues[0]
    assert issue.code == "not-supported" and issue.location == "Bundle.type"


def test_rejects_a_payload_over_the_limit_before_reading_it() -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        parse_bundle(b" " * 101, 100)
    assert "limit is 100 bytes" in caught.value.issues[0].diagnostics


def test_locates_a_fhir_validation_failure_by_fhirpath() -> None:
    message = bundle()
    statement(message)["effectiveDateTime"] = "2026-13-45"
    issue = rejection(encode(message)).issues[0]
    assert issue.location == "Bundle.entry[1].resource.effectiveDateTime"


def test_rejects_an_element_that_fhir_does_not_have() -> None:
    message = bundle()
    statement(message)["dose"] = "two"
    issue = rejection(encode(message)).issues[0]
    assert issue.location == "Bundle.entry[1].resource.dose" and "not part of this FHIR resource" in issue.diagnostics


def test_rejects_a_medication_statement_status_outside_the_required_value_set() -> None:
    message = bundle()
    statement(message)["status"] = "bogus"
    issue = rejection(encode(message)).issues[0]
    assert (issue.code, issue.location) == ("code-invalid", "Bundle.entry[1].resource.status")
    assert "'bogus'" in issue.diagnostics and "not-taken" in issue.diagnostics


@pytest.mark.parametrize(("field", "value"), [("status", "ongoing"), ("intent", "wish")])
def test_rejects_medication_request_status_and_intent_outside_their_value_sets(field: str, value: str) -> None:
    message = bundle()
    request = {"resourceType": "MedicationRequest", "status": "active", "intent": "order",
               "medicationCodeableConcept": {"text": "Lithium"}, "subject": {"reference": "Patient/x"}}
    request[field] = value
    message["entry"].append({"resource": request})
    issue = rejection(encode(message)).issues[0]
    assert issue.location == f"Bundle.entry[2].resource.{field}"


def test_reports_every_bad_code_not_just_the_first() -> None:
    message = bundle()
    statement(message)["status"] = "bogus"
    message["entry"].append({"resource": {"resourceType": "List", "status": "live", "mode": "snapshot"}})
    locations = {issue.location for issue in rejection(encode(message)).issues}
    assert locations == {"Bundle.entry[1].resource.status", "Bundle.entry[2].resource.status"}


def test_refuses_an_r5_resource_as_an_unsupported_version() -> None:
    message = bundle()
    message["entry"][1]["resource"] = {"resourceType": "MedicationUsage", "status": "recorded"}
    with pytest.raises(UnsupportedVersion) as caught:
        parse_bundle(encode(message), LIMIT)
    assert "R5" in caught.value.issues[0].diagnostics


def test_refuses_a_declared_version_it_does_not_read() -> None:
    with pytest.raises(UnsupportedVersion):
        parse_bundle(encode(bundle()), LIMIT, "5.0.0")


def test_reads_stu3_when_a_resource_claims_a_gp_connect_profile() -> None:
    message = bundle(meta={"profile": ["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-StructuredRecord-Bundle-1"]})
    del message["timestamp"]  # STU3 Bundles have no timestamp
    message["entry"][1]["resource"] = {"resourceType": "Patient"}
    assert parse_bundle(encode(message), LIMIT).version is FhirVersion.STU3


def test_repairs_a_single_object_sent_for_a_list_and_says_so() -> None:
    message = bundle()
    statement(message)["dosage"] = {"text": "One tablet each morning"}
    parsed = parse_bundle(encode(message), LIMIT)
    assert parsed.data["entry"][1]["resource"]["dosage"] == [{"text": "One tablet each morning"}]
    assert [w.location for w in parsed.warnings] == ["Bundle.entry[1].resource.dosage"]


def test_does_not_repair_a_list_of_several_values_for_one() -> None:
    message = bundle()
    statement(message)["status"] = ["active", "stopped"]
    assert rejection(encode(message)).issues[0].location == "Bundle.entry[1].resource.status"


def test_hashes_the_same_content_the_same_whatever_the_spacing_or_key_order() -> None:
    message = bundle()
    spaced = json.dumps(message, indent=4).encode()
    reordered = json.dumps(dict(reversed(list(message.items())))).encode()
    assert canonical_hash(json.loads(spaced)) == canonical_hash(json.loads(reordered)) == parse_bundle(encode(message), LIMIT).content_hash
