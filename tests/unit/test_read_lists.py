"""List.emptyReason: Nil Known is a known list of no medicines; every other reason, and a missing list, is not known."""

from __future__ import annotations

from typing import Any

import pytest

from medpass.domain.feeds import Feed
from medpass.domain.medications import MedicationListState
from medpass.fhir.read_message import read_feed_message
from tests.messages import PATIENT_URL, bundle, encode, statement

EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
GP_LIST = {"coding": [{"system": "http://snomed.info/sct", "code": "933361000000108"}]}


def _state(message: dict[str, Any], feed: Feed = Feed.GP) -> tuple[MedicationListState, int]:
    """Whether the message says what the current medicines are, and how many it lists."""
    read = read_feed_message(encode(message), feed, 5 << 20)[0]
    return read.medication_list, len(read.medications)


def _empty_list(reason: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A message whose only medication content is a GP medication List with an emptyReason."""
    message = bundle()
    message["entry"][1:] = [{"resource": {"resourceType": "List", "status": "current", "mode": "snapshot", "code": GP_LIST,
                                          "subject": {"reference": PATIENT_URL}, "emptyReason": reason, **fields}}]
    return message


def _reason(code: str, system: str = EMPTY_REASON) -> dict[str, Any]:
    """An emptyReason coded in list-empty-reason."""
    return {"coding": [{"system": system, "code": code, "display": code.title()}]}


def test_a_list_emptied_as_nil_known_says_the_patient_takes_no_medicines() -> None:
    assert _state(_empty_list(_reason("nilknown"))) == (MedicationListState(known=True), 0)


def test_the_stu3_code_system_says_nil_known_too() -> None:
    assert _state(_empty_list(_reason("nilknown", "http://hl7.org/fhir/list-empty-reason"))) == (MedicationListState(known=True), 0)


@pytest.mark.parametrize("code", ["notasked", "unavailable", "withheld", "notstarted", "closed", "something-else"])
def test_every_other_empty_reason_means_not_known(code: str) -> None:
    reason = f"the medication List is empty ({code.title()}): current medicines not known"
    assert _state(_empty_list(_reason(code))) == (MedicationListState(known=False, reason=reason), 0)


def test_nil_known_only_in_words_or_in_another_code_system_is_not_trusted() -> None:
    words = _state(_empty_list({"text": "Nil known"}))
    elsewhere = _state(_empty_list(_reason("nilknown", "http://example.org/reasons")))
    assert words == (MedicationListState(False, "the medication List is empty (Nil known): current medicines not known"), 0)
    assert elsewhere == (MedicationListState(False, "the medication List is empty (Nilknown): current medicines not known"), 0)


def test_a_list_that_says_nil_known_but_has_entries_contradicts_itself_and_is_not_known() -> None:
    message = _empty_list(_reason("nilknown"), entry=[{"item": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000002"}}])
    message["entry"].append(bundle()["entry"][1])
    assert _state(message) == (MedicationListState(False, "the medication List is empty (Nilknown): current medicines not known"), 1)


def test_a_message_with_no_list_at_all_is_still_not_known() -> None:
    message = bundle()
    del message["entry"][1]
    assert _state(message) == (MedicationListState(False, "the message carries no medication list: current medicines not known"), 0)


def _discharge_with_section(section: dict[str, Any]) -> dict[str, Any]:
    """A discharge document whose medication section is `section` (and no medication resources)."""
    message = bundle(type="document")
    composition = {"resourceType": "Composition", "status": "final", "type": {"text": "Discharge summary"}, "date": "2026-11-02",
                   "subject": {"reference": PATIENT_URL}, "author": [{"display": "Ward 5"}], "title": "Discharge summary",
                   "section": [{"title": "Medications", "code": GP_LIST, **section}]}
    message["entry"][1:] = [{"resource": composition}]
    return message


def test_a_discharge_whose_medication_section_is_nil_known_says_no_medicines() -> None:
    assert _state(_discharge_with_section({"emptyReason": _reason("nilknown")}), Feed.ACUTE) == (MedicationListState(known=True), 0)


def test_a_discharge_whose_medication_section_was_not_asked_is_not_known() -> None:
    reason = "the medication section is empty (Notasked): current medicines not known"
    assert _state(_discharge_with_section({"emptyReason": _reason("notasked")}), Feed.ACUTE) == (MedicationListState(False, reason), 0)


def test_nil_known_beside_a_list_that_is_not_known_stays_not_known() -> None:
    message = _empty_list(_reason("nilknown"))
    other = dict(message["entry"][1]["resource"], emptyReason=_reason("withheld"))
    message["entry"].append({"resource": other})
    reason = "the medication List is empty (Withheld): current medicines not known"
    assert _state(message) == (MedicationListState(False, reason), 0)


def test_nil_known_beside_medicines_stated_outside_the_list_keeps_the_medicines() -> None:
    message = _empty_list(_reason("nilknown"))
    message["entry"].append({"resource": statement(bundle())})
    assert _state(message) == (MedicationListState(known=True), 1)
