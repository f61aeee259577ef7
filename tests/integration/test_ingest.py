"""Ingesting one message: stored verbatim with provenance, once; a bad one changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.db.rows import FeedMessageRow, MedicationRow, PatientRow
from medpass.domain.errors import MessageRejected
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.ingest import ingest_message
from tests.conftest import NOW, RECONCILIATION, snapshot
from tests.messages import NHS_NUMBER, OTHER_NHS_NUMBER, bundle, encode, statement

LIMIT = 5 * 1024 * 1024


def ingest(session: Session, raw: bytes, feed: str = "gp", **kwargs: Any) -> Any:
    """Ingest with the test clock and default limit, as the demo deployment (its care network, no public address)."""
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("max_bytes", LIMIT)
    kwargs.setdefault("network", DEMO_NETWORK)
    kwargs.setdefault("public_base_url", None)
    return ingest_message(session, feed, raw, sender="test-sender", **kwargs, settings=RECONCILIATION)


def test_stores_the_message_verbatim_with_feed_sender_time_and_hash(session: Session) -> None:
    raw = json.dumps(bundle(), indent=3).encode()
    result = ingest(session, raw)
    row = session.get(FeedMessageRow, result.message_id)
    assert row is not None
    assert (row.raw, row.feed, row.sender, row.received_at) == (raw.decode(), "gp", "test-sender", NOW)
    assert len(row.content_hash) == 64 and row.asserted_at.isoformat() == "2026-11-01T09:00:00+00:00"


def test_keeps_what_the_message_said_about_each_medicine(session: Session) -> None:
    result = ingest(session, encode(bundle()))
    (medicine,) = repository.medications_of(session, result.message_id)
    assert (medicine.medicine_name, medicine.dmd_code, medicine.status) == ("Sertraline 50mg tablets", "39704111000001102", "active")
    assert medicine.dosage_text == "One tablet each morning"


def test_sending_the_same_message_twice_changes_nothing(session: Session, engine: Engine) -> None:
    first = ingest(session, encode(bundle()))
    before = snapshot(engine)
    again = ingest(session, json.dumps(bundle(), indent=2).encode(), now=NOW + timedelta(hours=1))
    assert again.duplicate and again.message_id == first.message_id
    assert snapshot(engine) == before


def test_the_same_content_on_another_feed_is_that_feeds_message(session: Session) -> None:
    ingest(session, encode(bundle()), feed="gp")
    assert not ingest(session, encode(bundle()), feed="mental-health").duplicate


def test_the_newest_message_by_the_senders_time_is_the_feeds_current_view(session: Session) -> None:
    newer = bundle(timestamp="2026-11-10T09:00:00Z")
    statement(newer)["status"] = "stopped"
    statement(newer)["statusReason"] = [{"text": "Side effects"}]
    newest = ingest(session, encode(newer))
    ingest(session, encode(bundle()), now=NOW + timedelta(minutes=5))  # older message arriving late
    patient = repository.find_patient(session, NHS_NUMBER)
    assert patient is not None
    current = repository.current_message(session, patient.id, "gp")
    assert current is not None and current.id == newest.message_id
    assert len(repository.message_history(session, patient.id)) == 2


def test_demographics_come_from_the_newest_message_not_the_last_to_arrive(session: Session) -> None:
    moved = bundle(timestamp="2026-11-10T09:00:00Z")
    moved["entry"][0]["resource"]["name"] = [{"family": "Newname", "given": ["Ada"]}]
    ingest(session, encode(moved))
    ingest(session, encode(bundle()))
    patient = session.scalars(select(PatientRow)).one()
    assert patient.family == "Newname"


def _mutate(change: Callable[[dict[str, Any]], Any]) -> bytes:
    """A valid message with one thing broken."""
    message = bundle()
    change(message)
    return encode(message)


def _set_statement(field: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda message: statement(message).__setitem__(field, value)


def _set_nhs_number(value: str) -> Callable[[dict[str, Any]], Any]:
    return lambda message: message["entry"][0]["resource"]["identifier"][0].__setitem__("value", value)


def _other_patient() -> dict[str, Any]:
    return {"resourceType": "Patient", "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": OTHER_NHS_NUMBER}]}


BAD_INPUTS: dict[str, tuple[str, bytes, str]] = {
    "malformed JSON": ("gp", b'{"resourceType": "Bundle", ', "malformed JSON"),
    "wrong resourceType": ("gp", encode({"resourceType": "Patient"}), "must be a FHIR Bundle"),
    "fails FHIR validation": ("gp", _mutate(_set_statement("effectiveDateTime", "yesterday")), "effectiveDateTime"),
    "status outside its value set": ("gp", _mutate(_set_statement("status", "bogus")), "required value set"),
    "missing NHS number": ("gp", _mutate(lambda m: m["entry"][0]["resource"].pop("identifier")), "no NHS number"),
    "invalid NHS number": ("gp", _mutate(_set_nhs_number("9990000019")), "Modulus 11"),
    "two patients": ("gp", _mutate(lambda m: m["entry"].append({"resource": _other_patient()})), "one patient"),
    "unknown feed": ("pharmacy", encode(bundle()), "unknown feed"),
    "unsupported FHIR version": ("gp", _mutate(lambda m: m["entry"].append({"resource": {"resourceType": "MedicationUsage"}})), "R5"),
    "over the size limit": ("gp", encode(bundle(id="x" * 64)), "limit"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_whole_and_leaves_the_database_unchanged(case: str, session: Session, engine: Engine) -> None:
    ingest(session, encode(bundle(timestamp="2026-10-01T00:00:00Z")))  # something already there
    before = snapshot(engine)
    feed, raw, expected = BAD_INPUTS[case]
    limit = len(raw) - 1 if case == "over the size limit" else LIMIT
    with pytest.raises(MessageRejected) as caught:
        ingest(session, raw, feed=feed, max_bytes=limit)
    assert expected in str(caught.value)
    assert snapshot(engine) == before


def test_a_failure_while_storing_rolls_back_everything(session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(engine)

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(repository, "_allergy_values", explode)
    message = bundle()
    message["entry"].append({"resource": {"resourceType": "AllergyIntolerance", "patient": {"reference": message["entry"][0]["fullUrl"]},
                                          "code": {"text": "Penicillin"}}})
    with pytest.raises(RuntimeError):
        ingest(session, encode(message))
    assert snapshot(engine) == before


def test_a_statement_about_another_patient_is_refused(session: Session) -> None:
    message = bundle()
    statement(message)["subject"] = {"identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": OTHER_NHS_NUMBER}}
    with pytest.raises(MessageRejected, match="different NHS number"):
        ingest(session, encode(message))
    assert session.scalars(select(MedicationRow)).all() == []
