"""The passport in three forms from one model, stored as versions: each medicine in the section its agreed state
gives, in the patient's words, with dates as dates."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from medpass.domain.passport import Passport
from medpass.domain.resolutions import ResolutionKind, decide
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.build_passport import passport_document
from medpass.render.passport_html import passport_html
from medpass.render.passport_pdf import passport_pdf
from medpass.services.ingest import ingest_message
from medpass.services.passport import make_passport
from medpass.services.reconcile import reconcile_patient
from medpass.services.resolution import resolve_discrepancy
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, SAMPLES
from tests.fhir_schema import schema_errors

CLOZAPINE_PATIENT = "9991588132"
LITHIUM_PATIENT = "9999986986"
SERTRALINE_PATIENT = "9997973097"
NAPROXEN_PATIENT = "9991141707"
DEPOT_PATIENT = "9991689761"


@pytest.fixture
def loaded(session: Session) -> Session:
    """Every demo patient loaded."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    return session


def sections(passport: Passport) -> dict[str, list[str]]:
    """Each section's medicines by line name."""
    return {section.value: [m.line for m in medicines] for section, medicines in passport.sections.items()}


def test_a_medicine_stopped_for_a_bleed_and_still_listed_by_the_practice_is_never_a_medicine_to_take(loaded: Session) -> None:
    passport = make_passport(loaded, NAPROXEN_PATIENT, NOW, RECONCILIATION)
    assert sections(passport) == {"check": ["Naproxen"], "current": ["Amlodipine", "Ferrous fumarate", "Olanzapine", "Omeprazole"],
                                  "paused": [], "stopped": [], "finished": []}
    (naproxen,) = passport.check
    assert naproxen.notes == (
        "The hospital stopped this medicine on 2 February 2026 because of: Gastrointestinal bleed. Do not take it until you have checked.",
        "Your GP practice's list of 18 February 2026 has Naproxen 500mg tablets, One tablet twice a day with food.",
        "Ask your GP practice or your pharmacist.",
    )
    omeprazole = next(m for m in passport.medicines if m.line == "Omeprazole")
    assert omeprazole.notes == (
        "Started on 2 February 2026 by the hospital: Bleeding duodenal ulcer.",
        "Your GP practice's list of 18 February 2026 does not include this medicine yet. They have been told about it: ask them "
        "to add it before your supply runs out.",
    )


def test_the_trusts_clozapine_is_current_prescribed_by_the_mental_health_team_with_its_safety_advice(loaded: Session) -> None:
    passport = make_passport(loaded, CLOZAPINE_PATIENT, NOW, RECONCILIATION)
    current = ["Atorvastatin", "Clozapine", "Metformin", "Hyoscine hydrobromide 300microgram tablets"]
    assert sections(passport) == {"check": [], "current": current, "paused": [], "stopped": [], "finished": ["Amoxicillin"]}
    clozaril = next(m for m in passport.medicines if m.line == "Clozapine")
    assert (clozaril.name, clozaril.prescribed_by, clozaril.monitored_by, clozaril.what_for, clozaril.since) == (
        "Clozaril 100mg tablets", "your mental-health team", "your mental-health team", "Treatment-resistant schizophrenia",
        "5 September 2022")
    assert clozaril.notes == ("Your GP practice's record does not show this medicine, which your mental-health team prescribes. Your "
                              "GP practice has been asked to add it, so that other medicines can be checked against it.",)
    assert [a.split(":")[0].split(",")[0] for a in clozaril.advice] == ["If you get a sore throat",
                                                                         "If you miss your clozapine for more than 48 hours (2 days)"]
    assert passport.finished[0].notes == ("The course finished on 11 March 2026.",)


def test_a_paused_medicine_is_paused_and_lithium_on_another_brand_is_checked_but_never_stopped(loaded: Session) -> None:
    passport = make_passport(loaded, LITHIUM_PATIENT, NOW, RECONCILIATION)
    assert sections(passport) == {"check": ["Lithium carbonate"], "current": ["Amlodipine"], "paused": ["Ramipril"], "stopped": [],
                                  "finished": []}
    ramipril, lithium = passport.paused[0], passport.check[0]
    assert ramipril.notes[:2] == ("Paused on 16 February 2026 by the hospital: Acute kidney injury.",
                                  "Do not take it until you are told to start it again.")
    assert "Do not stop or change it until you have checked." in lithium.notes
    assert "Check before you take it." not in lithium.notes
    assert any(n.startswith("The lithium preparation or brand is not the same on every list.") for n in lithium.notes)
    assert any("signs of too much lithium" in a for a in lithium.advice)
    assert [(c.date, c.medicine, c.what, c.why) for c in passport.changes] == [
        ("16 February 2026", "Ramipril 5mg capsules", "Paused", "Acute kidney injury")]


def test_a_documented_dose_change_reads_as_a_dose_change_and_no_known_allergies_is_a_statement(loaded: Session) -> None:
    passport = make_passport(loaded, SERTRALINE_PATIENT, NOW, RECONCILIATION)
    sertraline = next(m for m in passport.medicines if m.line == "Sertraline")
    assert sertraline.notes == (
        "Changed on 24 March 2026 by the hospital: Low mood persisting on 50mg.", "Dose changed from 50 mg to 100 mg in the morning.",
        "Your GP practice's list of 3 March 2026 still has Sertraline 50mg tablets, One tablet each morning. They have been told about "
        "the change.",
        "Your mental-health team's list of 10 March 2026 still has Sertraline 50mg tablets, One tablet each morning. They have "
        "been told about the change.")
    assert passport.allergies == ()
    assert [(s.text, s.recorded_by) for s in passport.allergy_statements] == [("No known drug allergies", "your GP practice"),
                                                                              ("No known drug allergies", "the hospital")]
    assert "No known drug allergies" not in json.dumps(passport_document(passport)["entry"][1:])  # never an allergy resource


def test_the_fhir_passport_is_a_valid_document_whose_current_section_holds_only_agreed_medicines(loaded: Session) -> None:
    document = passport_document(make_passport(loaded, NAPROXEN_PATIENT, NOW, RECONCILIATION))
    resources = [e["resource"] for e in document["entry"]]
    assert document["type"] == "document" and resources[0]["resourceType"] == "Composition"
    assert all(schema_errors(r) == [] for r in [document, *resources])
    by_url = {e["fullUrl"]: e["resource"] for e in document["entry"]}
    held = {(s["code"]["coding"][0]["code"] if "code" in s else s["title"]):
            [(by_url[r["reference"]]["medicationCodeableConcept"]["text"], by_url[r["reference"]]["status"]) for r in s.get("entry", [])
             if by_url[r["reference"]]["resourceType"] == "MedicationStatement"] for s in resources[0]["section"]}
    assert held["check-with-care-team"] == [("Naproxen 500mg tablets", "unknown")]
    assert held["10160-0"] == [("Amlodipine 5mg tablets", "active"), ("Ferrous fumarate 210mg tablets", "active"),
                               ("Olanzapine 10mg tablets", "active"), ("Omeprazole 20mg gastro-resistant capsules", "active")]


def test_every_pdf_page_says_whose_passport_it_is_when_it_was_made_and_which_page_it_is(loaded: Session) -> None:
    passport = make_passport(loaded, LITHIUM_PATIENT, NOW, RECONCILIATION)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(passport_pdf(passport))).pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "Leo SAMPLETON · NHS number 999 998 6986 · passport of 25 November 2026 (version 1)" in text
        assert f"Page {number} of {len(pages)}" in text


def test_the_html_and_pdf_passports_say_the_same_things_with_dates_as_dates(loaded: Session) -> None:
    passport = make_passport(loaded, NAPROXEN_PATIENT, NOW, RECONCILIATION)
    page = " ".join(passport_html(passport).split())
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(passport_pdf(passport))).pages).split())
    for phrase in ["My medication passport", "Check these with your care team", "My medicines now", "Naproxen 500mg tablets",
                   "999 114 1707", "born 19 August 1958", "made 25 November 2026", "Who to contact", "NHS 111"]:
        assert phrase in page and phrase in text, phrase
    assert "2026-02" not in page and "2026-02" not in text


def test_the_same_data_gives_the_same_passport_version(loaded: Session) -> None:
    first = make_passport(loaded, CLOZAPINE_PATIENT, NOW, RECONCILIATION)
    again = make_passport(loaded, CLOZAPINE_PATIENT, NOW + timedelta(days=1), RECONCILIATION)
    assert again.version == first.version == 1 and again.medicines == first.medicines


def test_a_change_in_the_feeds_makes_a_new_version_that_says_what_changed(loaded: Session) -> None:
    make_passport(loaded, SERTRALINE_PATIENT, NOW, RECONCILIATION)
    message = json.loads((SAMPLES / "03-sertraline-dose-increased" / "gp.json").read_text())
    message["timestamp"] = "2026-04-20T10:00:00+00:00"
    statement = next(e["resource"] for e in message["entry"]
                     if "Sertraline" in json.dumps(e["resource"].get("medicationCodeableConcept", {})))
    statement["status"] = "stopped"
    statement["statusReason"] = [{"text": "Side effects: nausea"}]
    ingest_message(loaded, "gp", json.dumps(message).encode(), sender="test", now=NOW + timedelta(days=2), max_bytes=5 << 20,
                   network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    newer = make_passport(loaded, SERTRALINE_PATIENT, NOW + timedelta(days=2), RECONCILIATION)
    assert newer.version == 2 and sections(newer)["stopped"] == ["Sertraline"]
    assert newer.changes_since_last == ("Sertraline: stopped",)


def test_after_a_clinician_accepts_a_brand_the_next_passport_says_the_brand_changed_not_that_lithium_stopped(loaded: Session) -> None:
    make_passport(loaded, LITHIUM_PATIENT, NOW, RECONCILIATION)
    brand = next(i for i in reconcile_patient(loaded, LITHIUM_PATIENT, NOW, RECONCILIATION).issues if i.code == "brand-switch")
    decision = decide(ResolutionKind.ACCEPT_FEED, by="Pat Pharmacist", at=NOW + timedelta(hours=1), accepted_feed="gp",
                      reason="Priadel confirmed with the patient", intent="unintentional")
    resolve_discrepancy(loaded, brand.resource_id, decision, expected_version=None)
    newer = make_passport(loaded, LITHIUM_PATIENT, NOW + timedelta(hours=1), RECONCILIATION)
    assert sections(newer)["current"] == ["Amlodipine", "Lithium carbonate"]
    assert newer.changes_since_last == ("Lithium carbonate: now agreed: take it as shown",)
    lithium = next(m for m in newer.medicines if m.line == "Lithium carbonate")
    assert (lithium.name, lithium.brand) == ("Priadel 400mg modified-release tablets", "Priadel")
    assert (newer.changes[0].medicine, newer.changes[0].what, newer.changes[0].who) == (
        "Lithium carbonate", "Brand changed to Priadel", "your care team")


def test_a_depot_shows_its_last_injection_and_when_the_next_was_due_and_an_overdue_one_says_to_act_today(loaded: Session) -> None:
    passport = make_passport(loaded, "9998469783", NOW, RECONCILIATION)
    depot = next(m for m in passport.medicines if m.line == "Aripiprazole")
    assert (depot.last_dose, depot.next_due, depot.notes) == (
        "15 April 2026", "13 May 2026",
        ("Your next injection was due on 13 May 2026. Contact your mental-health team today to arrange it.",))


def test_a_lithium_level_long_overdue_is_said_with_its_date(loaded: Session) -> None:
    lithium = make_passport(loaded, LITHIUM_PATIENT, NOW, RECONCILIATION).check[0]
    assert lithium.advice[-1] == ("Your lithium blood test was due by 20 April 2026. Ask your mental-health team or GP practice to "
                                  "arrange it now.")


def test_a_discharge_without_medicines_is_flagged_on_the_passport(loaded: Session) -> None:
    passport = make_passport(loaded, "9998469783", NOW, RECONCILIATION)
    assert passport.not_known == (
        "The acute hospital's record of 2 May 2026 did not list your medicines, so changes made there may be missing.",)
