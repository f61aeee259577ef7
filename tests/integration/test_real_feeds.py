"""Real feed shapes through ingest and storage: dosage steps and maximums kept, discharges in every envelope, Nil Known."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session

from medpass.db import feed_views, repository
from medpass.db.migrate import alembic_config, upgrade_database
from medpass.db.rows import FeedMessageRow
from medpass.db.session import make_engine
from medpass.db.tables import MEDICATIONS
from medpass.domain.feeds import Feed
from medpass.domain.medications import Dosage
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.ingest import ingest_message
from medpass.services.reconcile import reconcile_patient
from tests.conftest import NOW, RECONCILIATION, SAMPLES
from tests.envelopes import collection, flat_message, itk3_message
from tests.messages import NHS_NUMBER, PATIENT_URL, bundle, encode, statement

UCUM = "http://unitsofmeasure.org"


def _ingest(session: Session, message: dict[str, Any], feed: str = "acute") -> int:
    """Ingest a message on a feed and return the patient's id."""
    ingest_message(session, feed, encode(message), sender="test-sender", now=NOW, max_bytes=5 << 20,
                   settings=RECONCILIATION, network=DEMO_NETWORK, public_base_url=None)
    patient = repository.find_patient(session, NHS_NUMBER)
    assert patient is not None
    return patient.id


def _stored_dosages(session: Session, patient_id: int) -> tuple[Dosage, ...]:
    """The dosages of the one statement the acute feed's current list holds, as reconciliation reads them."""
    (acute,) = feed_views.feed_lists(session, patient_id)
    (stored,) = acute.statements
    return stored.entry.dosages


def test_dosage_steps_and_maximums_are_stored_and_read_back_as_sent(session: Session) -> None:
    message = bundle()
    statement(message)["dosage"] = [
        {"sequence": 1, "text": "40mg daily for a week",
         "timing": {"repeat": {"boundsDuration": {"value": 7, "system": UCUM, "code": "d"}}}},
        {"sequence": 2, "text": "1g when required", "asNeededBoolean": True,
         "timing": {"repeat": {"boundsPeriod": {"start": "2026-11-08"}, "frequency": 1, "frequencyMax": 4, "period": 1, "periodUnit": "d"}},
         "maxDosePerPeriod": {"numerator": {"value": 4, "system": UCUM, "code": "g"},
                              "denominator": {"value": 1, "system": UCUM, "code": "d"}}},
    ]
    assert _stored_dosages(session, _ingest(session, message)) == (
        Dosage(text="40mg daily for a week", sequence=1, bounds_duration=Decimal(7), bounds_duration_unit="d"),
        Dosage(text="1g when required", as_needed=True, sequence=2, bounds_start="2026-11-08", frequency=1, frequency_max=4,
               period=Decimal(1), period_unit="d", max_dose_value=Decimal(4), max_dose_unit="g", max_dose_period=Decimal(1),
               max_dose_period_unit="d"),
    )


def test_a_dosage_stored_before_steps_and_maximums_were_kept_still_reads(session: Session) -> None:
    patient_id = _ingest(session, bundle())
    old_shape = [{"text": "One tablet each morning", "patient_instruction": None, "frequency": None, "period": None, "period_unit": None,
                  "when": [], "time_of_day": [], "route": None, "dose_value": None, "dose_unit": None, "as_needed": False}]
    session.execute(update(MEDICATIONS).values(dosages=old_shape))
    session.commit()
    assert _stored_dosages(session, patient_id) == (Dosage(text="One tablet each morning"),)


CLOZARIL = {"coding": [{"system": "https://dmd.nhs.uk", "code": "3832011000001100", "display": "Clozaril 100mg tablets"}]}


def _nil_known_gp() -> dict[str, Any]:
    """The GP practice's list, emptied as Nil Known: the practice states the patient takes no medicines."""
    message = bundle()
    message["entry"][1:] = [{"resource": {
        "resourceType": "List", "status": "current", "mode": "snapshot", "subject": {"reference": PATIENT_URL},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "933361000000108"}]},
        "emptyReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "nilknown"}]}}}]
    return message


def _trust_clozapine() -> dict[str, Any]:
    """The trust's list: Clozaril 100 mg at night."""
    message = bundle(timestamp="2026-11-02T09:00:00+00:00")
    statement(message)["medicationCodeableConcept"] = CLOZARIL
    statement(message)["dosage"] = [{"text": "300mg at night"}]
    return message


def test_the_trusts_clozapine_is_an_omission_from_a_gp_list_that_states_nil_known(session: Session) -> None:
    _ingest(session, _nil_known_gp(), feed="gp")
    _ingest(session, _trust_clozapine(), feed="mental-health")
    found = reconcile_patient(session, NHS_NUMBER, NOW, RECONCILIATION).result.discrepancies
    assert [(d.code.value, d.medicine, d.feeds) for d in found] == [("omission", "Clozapine", (Feed.MENTAL_HEALTH,))]


def test_a_gp_list_emptied_for_any_other_reason_expects_nothing(session: Session) -> None:
    not_asked = _nil_known_gp()
    not_asked["entry"][1]["resource"]["emptyReason"] = {
        "coding": [{"system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "notasked"}]}
    _ingest(session, not_asked, feed="gp")
    _ingest(session, _trust_clozapine(), feed="mental-health")
    assert reconcile_patient(session, NHS_NUMBER, NOW, RECONCILIATION).result.discrepancies == ()


def _stored_before_0016(engine: Engine, messages: dict[str, dict[str, Any]], known: dict[str, tuple[bool, str | None]]) -> None:
    """Messages as revision 0015 stored them: verbatim, with its bundle type and whether medicines were known."""
    with engine.begin() as connection:
        patient = connection.execute(text(
            "INSERT INTO patients (nhs_number, demographics_as_of, created_at) VALUES (:n, :t, :t) RETURNING id"),
            {"n": NHS_NUMBER, "t": NOW}).scalar_one()
        for name, message in messages.items():
            medications_known, reason = known.get(name, (True, None))
            connection.execute(text(
                "INSERT INTO feed_messages (patient_id, feed, sender, received_at, asserted_at, content_hash, fhir_version, bundle_type,"
                " medications_known, medications_unknown_reason, warnings, raw) VALUES (:p, :feed, 's', :t, :t, :hash, '4.0.1', :type,"
                " :known, :reason, '[]', :raw)"),
                {"p": patient, "feed": name, "t": NOW, "hash": name, "type": message["type"], "known": medications_known, "reason": reason,
                 "raw": json.dumps(message)})


def test_the_migration_decides_discharges_and_nil_known_for_messages_already_stored(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0015")
    discharge_list = dict(_nil_known_gp()["entry"][1]["resource"], emptyReason=None,
                          code={"coding": [{"system": "http://snomed.info/sct", "code": "1102411000000102"}]})
    collection_of_lists = bundle(entry=[bundle()["entry"][0], {"resource": discharge_list}])
    messages = {
        "document": bundle(type="document"),
        "message": bundle(type="message", entry=[*bundle()["entry"], {"resource": {"resourceType": "Composition"}}]),
        "prsb-lists": collection_of_lists,
        "nil-known": _nil_known_gp(),
        "not-asked": _nil_known_gp(),
        "gp-list": bundle(),
    }
    messages["not-asked"]["entry"][1]["resource"]["emptyReason"]["coding"][0]["code"] = "notasked"
    empty = "the medication List is empty (nilknown): current medicines not known"
    _stored_before_0016(engine, messages, {"nil-known": (False, empty), "not-asked": (False, empty.replace("nilknown", "notasked"))})
    upgrade_database(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT feed, is_discharge, medications_known, medications_unknown_reason FROM feed_messages"))
        found = {row.feed: (bool(row.is_discharge), bool(row.medications_known), row.medications_unknown_reason) for row in rows}
    engine.dispose()
    assert found == {
        "document": (True, True, None),
        "message": (True, True, None),
        "prsb-lists": (True, True, None),
        "nil-known": (False, True, None),
        "not-asked": (False, False, "the medication List is empty (notasked): current medicines not known"),
        "gp-list": (False, True, None),
    }


DEPOT_STORY = SAMPLES / "08-gp-connect-depot"
DEPOT_ENVELOPES = {
    "document": lambda d: d,
    "itk3 message carrying the document": itk3_message,
    "message carrying the composition": flat_message,
    "collection with the composition": collection,
    "collection of the prsb lists": lambda d: collection(d, composition=False),
}


@pytest.mark.parametrize("envelope", list(DEPOT_ENVELOPES))
def test_a_depot_the_discharge_leaves_off_is_an_omission_whatever_envelope_the_discharge_came_in(session: Session, envelope: str) -> None:
    for feed in ("gp", "mental-health"):
        ingest_message(session, feed, (DEPOT_STORY / f"{feed}.json").read_bytes(), sender="test-sender", now=NOW, max_bytes=5 << 20,
                       settings=RECONCILIATION, network=DEMO_NETWORK, public_base_url=None)
    discharge = DEPOT_ENVELOPES[envelope](json.loads((DEPOT_STORY / "acute.json").read_text()))
    stored = ingest_message(session, "acute", encode(discharge), sender="test-sender", now=NOW, max_bytes=5 << 20,
                            settings=RECONCILIATION, network=DEMO_NETWORK, public_base_url=None)
    row = session.get(FeedMessageRow, stored.message_id)
    found = reconcile_patient(session, stored.nhs_number, NOW, RECONCILIATION).result.discrepancies
    assert row is not None and row.is_discharge
    # paracetamol's course ended in April; the depot, last given in April, is also overdue by November
    assert sorted((d.code.value, d.medicine) for d in found) == [("depot-overdue", "Zuclopenthixol decanoate"),
                                                                ("omission", "Zuclopenthixol decanoate")]
