"""A discharge summary is recognised, and read the same, in every envelope a hospital sends it in."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from medpass.domain.errors import MessageRejected, error
from medpass.domain.feeds import Feed
from medpass.domain.messages import FeedMessage
from medpass.fhir.read_message import read_feed_message
from tests.envelopes import collection, discharge_document, flat_message, itk3_message, message_header
from tests.messages import bundle, encode

LIMIT = 5 << 20


def _read(message: dict[str, Any], feed: Feed = Feed.ACUTE) -> FeedMessage:
    """Read a message on a feed."""
    return read_feed_message(encode(message), feed, LIMIT)[0]


def _what_it_says(message: FeedMessage) -> tuple[object, ...]:
    """Everything a message says about the patient, without its envelope."""
    return (message.demographics, message.asserted_at, message.medications, message.medication_list, message.allergies,
            message.source_organisation, message.is_discharge)


ENVELOPES = {
    "itk3 message carrying the document": lambda: itk3_message(discharge_document()),
    "message carrying the composition directly": lambda: flat_message(discharge_document()),
    "collection with the composition": lambda: collection(discharge_document()),
}


def test_a_discharge_document_is_a_discharge() -> None:
    read = _read(discharge_document())
    assert (read.bundle_type, read.is_discharge, len(read.medications), read.medication_list.known) == ("document", True, 5, True)


@pytest.mark.parametrize("envelope", list(ENVELOPES))
def test_a_discharge_in_another_envelope_says_what_the_document_says(envelope: str) -> None:
    assert _what_it_says(_read(ENVELOPES[envelope]())) == _what_it_says(_read(discharge_document()))


def test_a_collection_of_the_prsb_lists_without_a_composition_is_a_discharge() -> None:
    read, document = _read(collection(discharge_document(), composition=False)), _read(discharge_document())
    assert (read.is_discharge, read.medications, read.medication_list) == (True, document.medications, document.medication_list)


def test_a_gp_list_a_plain_message_or_a_withdrawn_discharge_list_is_not_a_discharge() -> None:
    gp_list = _read(bundle(), Feed.GP)
    plain_message = _read(bundle(type="message", entry=[{"resource": message_header()}, *bundle()["entry"]]))
    withdrawn = collection(discharge_document(), composition=False)
    for entry in withdrawn["entry"]:
        if entry["resource"]["resourceType"] == "List":
            entry["resource"]["status"] = "entered-in-error"
    assert (gp_list.is_discharge, plain_message.is_discharge, _read(withdrawn).is_discharge) == (False, False, False)


def _rejected(message: dict[str, Any]) -> list[Any]:
    """The issues a message is refused with."""
    with pytest.raises(MessageRejected) as caught:
        _read(message)
    return list(caught.value.issues)


def test_a_bundle_inside_anything_but_a_message_is_refused_saying_how_to_send_it() -> None:
    nested = bundle(entry=[*bundle()["entry"], {"resource": discharge_document()}])
    assert _rejected(nested) == [error("not-supported", "a Bundle inside a collection Bundle is not read: send the document as the "
                                                        "message itself, or inside a FHIR message Bundle", "Bundle.entry[2].resource")]


def test_a_message_carrying_anything_but_one_document_is_refused() -> None:
    searchset = itk3_message(dict(discharge_document(), type="searchset"))
    second = itk3_message(discharge_document())
    second["entry"].append({"fullUrl": "urn:uuid:5d0e8c8e-7a51-4c1e-9a3e-000000000003", "resource": copy.deepcopy(discharge_document())})
    assert _rejected(searchset) == [error("not-supported", "a message Bundle is read with one document Bundle inside it; a 'searchset' "
                                                           "Bundle inside it is not read", "Bundle.entry[1].resource.type")]
    assert _rejected(second) == [error("not-supported", "a message Bundle is read with one document Bundle inside it; this is a "
                                                        "second one", "Bundle.entry[2].resource")]


def test_a_bundle_inside_the_carried_document_is_refused() -> None:
    document = discharge_document()
    document["entry"].append({"fullUrl": "urn:uuid:5d0e8c8e-7a51-4c1e-9a3e-000000000004", "resource": bundle()})
    assert _rejected(itk3_message(document)) == [
        error("not-supported", "a Bundle inside a document Bundle is not read: send the document as the message itself, or inside a "
                               "FHIR message Bundle", "Bundle.entry[1].resource.entry[12].resource"),
    ]


def test_the_carried_documents_resources_are_checked_like_the_messages_own() -> None:
    message = itk3_message(discharge_document())
    message["entry"][1]["resource"]["entry"][6]["resource"]["status"] = "bogus"
    (issue,) = _rejected(message)
    assert (issue.code, issue.location) == ("code-invalid", "Bundle.entry[1].resource.entry[6].resource.status")


def test_a_statement_in_the_carried_document_about_another_patient_is_refused() -> None:
    message = itk3_message(discharge_document())
    message["entry"][1]["resource"]["entry"][6]["resource"]["subject"] = {
        "identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000026"}}
    assert _rejected(message) == [error("business-rule", "refers to a different NHS number from the message's",
                                        "Bundle.entry[1].resource.entry[6].resource.subject")]

