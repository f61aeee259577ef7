"""The envelopes a discharge summary arrives in: a FHIR document, an ITK3 message carrying it, or a collection."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "fhir_samples"
#: A PRSB discharge document (Composition first, active List 1102411000000102): Sam's, who leaves on clozapine.
DISCHARGE = SAMPLES / "01-clozapine-missing-at-gp" / "acute.json"
MESSAGE_HEADER_URL = "urn:uuid:5d0e8c8e-7a51-4c1e-9a3e-000000000001"
DOCUMENT_URL = "urn:uuid:5d0e8c8e-7a51-4c1e-9a3e-000000000002"


def discharge_document() -> dict[str, Any]:
    """The sample discharge as the `document` Bundle it is."""
    loaded: dict[str, Any] = json.loads(DISCHARGE.read_text())
    return loaded


def message_header(focus: str | None = None) -> dict[str, Any]:
    """An R4 MessageHeader for a transfer of care (ITK3 messaging), focused on the document when it carries one."""
    header: dict[str, Any] = {
        "resourceType": "MessageHeader",
        "eventCoding": {"system": "https://fhir.nhs.uk/CodeSystem/message-events-bars", "code": "servicerequest-request"},
        "source": {"endpoint": "urn:nhs-uk:addressing:ods:RXX01"},
    }
    if focus:
        header["focus"] = [{"reference": focus}]
    return header


def itk3_message(document: dict[str, Any]) -> dict[str, Any]:
    """A FHIR `message` Bundle: MessageHeader first, the document Bundle as its second entry (as ITK3 carries it)."""
    return {
        "resourceType": "Bundle",
        "type": "message",
        "timestamp": document.get("timestamp"),
        "entry": [
            {"fullUrl": MESSAGE_HEADER_URL, "resource": message_header(DOCUMENT_URL)},
            {"fullUrl": DOCUMENT_URL, "resource": copy.deepcopy(document)},
        ],
    }


def flat_message(document: dict[str, Any]) -> dict[str, Any]:
    """A `message` Bundle carrying the document's Composition and resources directly after its MessageHeader."""
    entries = copy.deepcopy(document["entry"])
    return {"resourceType": "Bundle", "type": "message", "timestamp": document.get("timestamp"),
            "entry": [{"fullUrl": MESSAGE_HEADER_URL, "resource": message_header(entries[0].get("fullUrl"))}, *entries]}


def collection(document: dict[str, Any], *, composition: bool = True) -> dict[str, Any]:
    """The document's resources as a `collection`, with its Composition or with only the PRSB Lists."""
    entries = [e for e in copy.deepcopy(document["entry"]) if composition or e["resource"]["resourceType"] != "Composition"]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": document.get("timestamp"), "entry": entries}
