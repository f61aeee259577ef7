"""The passport in three forms from one model, stored as versions."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from medpass.domain.passport import Passport
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.build_passport import passport_document
from medpass.render.passport_html import passport_html
from medpass.render.passport_pdf import passport_pdf
from medpass.services.ingest import ingest_message
from medpass.services.passport import make_passport
from medpass.services.samples import load_samples
from tests.conftest import NOW, SAMPLES
from tests.fhir_schema import schema_errors

CLOZAPINE_PATIENT = "9991588132"
DEPOT_PATIENT = "9991689761"


@pytest.fixture
def loaded(session: Session) -> Session:
    """Every demo patient loaded."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None)
    return session


@pytest.fixture
def passport(loaded: Session) -> Passport:
    """The clozapine patient's first passport."""
    return make_passport(loaded, CLOZAPINE_PATIENT, NOW)


def test_the_passport_lists_each_current_medicine_once_with_who_prescribes_it(passport: Passport) -> None:
    names = [m.name for m in passport.medicines]
    assert len(names) == len(set(names)) and "Clozaril 100mg tablets" in names
    clozaril = next(m for m in passport.medicines if m.name == "Clozaril 100mg tablets")
    assert clozaril.prescribed_by == "your mental-health team" and clozaril.monitored_by == "your mental-health team"
    assert clozaril.what_for == "Treatment-resistant schizophrenia"
    assert clozaril.being_checked is not None and "GP practice's list" in clozaril.being_checked


def test_the_fhir_passport_is_a_valid_document_with_the_composition_first(passport: Passport) -> None:
    document = passport_document(passport)
    resources = [e["resource"] for e in document["entry"]]
    assert document["type"] == "document" and resources[0]["resourceType"] == "Composition"
    titles = [s["title"] for s in resources[0]["section"]]
    expected = {"Current medicines", "Changes since your last passport", "Medicines I cannot take", "Monitoring", "Who to contact"}
    assert expected <= set(titles)
    assert all(schema_errors(r) == [] for r in [document, *resources])
    referenced = {ref["reference"] for s in resources[0]["section"] for ref in s.get("entry", [])}
    assert referenced <= {e["fullUrl"] for e in document["entry"]}


def test_the_html_and_pdf_passports_say_the_same_things(passport: Passport) -> None:
    page = passport_html(passport)
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(passport_pdf(passport))).pages)
    for phrase in ["My medication passport", "Clozaril 100mg tablets", "Who to contact", "NHS 111", "999 158 8132"]:
        assert phrase in page and phrase in " ".join(text.split())
    assert "@page { size: A4" in page and "Amoxicillin" in page


def test_the_same_data_gives_the_same_passport_version(loaded: Session, passport: Passport) -> None:
    again = make_passport(loaded, CLOZAPINE_PATIENT, NOW + timedelta(days=1))
    assert again.version == passport.version == 1 and again.medicines == passport.medicines


def test_a_change_in_the_feeds_makes_a_new_version_that_says_what_changed(loaded: Session, passport: Passport) -> None:
    message = json.loads((SAMPLES / "01-clozapine-missing-at-gp" / "acute.json").read_text())
    message["timestamp"] = "2026-03-20T10:00:00+00:00"
    statement = next(e["resource"] for e in message["entry"]
                     if "Amoxicillin" in json.dumps(e["resource"].get("medicationCodeableConcept", {})))
    statement["dosage"][0]["text"] = "One capsule three times a day"
    ingest_message(loaded, "acute", json.dumps(message).encode(), sender="test", now=NOW + timedelta(days=2), max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None)
    newer = make_passport(loaded, CLOZAPINE_PATIENT, NOW + timedelta(days=2))
    assert newer.version == 2
    assert any(note.startswith("Now taken differently: Amoxicillin") for note in newer.changes_since_last)


def test_a_depot_shows_its_last_injection(loaded: Session) -> None:
    passport = make_passport(loaded, DEPOT_PATIENT, NOW)
    depot = next(m for m in passport.medicines if m.name.startswith("Zuclopenthixol"))
    assert depot.last_dose == "2026-04-08" and any("last injection 2026-04-08" in note for note in passport.monitoring)


def test_a_discharge_without_medicines_is_flagged_on_the_passport(loaded: Session) -> None:
    passport = make_passport(loaded, "9998469783", NOW)
    assert any("did not list your medicines" in note for note in passport.not_known)
