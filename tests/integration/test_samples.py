"""The demo patients: every story in fhir_samples/README.md is what medpass reads, and loading is repeatable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass.domain.feeds import Feed
from medpass.domain.nhs_number import is_test_nhs_number, is_valid_nhs_number
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.patients import PatientOverview, list_patients, patient_overview
from medpass.services.samples import load_samples, sample_files
from tests.conftest import NOW, RECONCILIATION, SAMPLES, snapshot

LIMIT = 5 * 1024 * 1024


@pytest.fixture
def loaded(session: Session) -> Session:
    """A database with every sample loaded."""
    outcomes = load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=LIMIT, network=DEMO_NETWORK, public_base_url=None,
                            settings=RECONCILIATION)
    assert [o.path for o in outcomes if o.rejection] == []
    return session


def active_names(overview: PatientOverview, feed: Feed) -> set[str]:
    """Names of the medicines a feed currently lists as active."""
    view = next(v for v in overview.views if v.feed is feed)
    return {m.medicine_name for m in view.medications if m.status == "active"}


def test_there_are_at_least_eight_patients_each_with_all_three_feeds() -> None:
    files = sample_files(SAMPLES)
    patients = {path.parent.name: set() for _, path in files}
    for feed, path in files:
        patients[path.parent.name].add(feed)
    assert len(patients) >= 8 and all(feeds == {"gp", "mental-health", "acute"} for feeds in patients.values())


def test_every_demo_patient_has_a_valid_nhs_number_in_the_999_test_range(loaded: Session) -> None:
    numbers = [p.nhs_number for p in list_patients(loaded)]
    assert len(numbers) >= 8 and all(is_valid_nhs_number(n) and is_test_nhs_number(n) for n in numbers)


def test_loading_the_samples_twice_changes_nothing(loaded: Session, engine: Engine) -> None:
    before = snapshot(engine)
    again = load_samples(loaded, SAMPLES, now=lambda: NOW + timedelta(days=1), max_bytes=LIMIT, network=DEMO_NETWORK, public_base_url=None,
                         settings=RECONCILIATION)
    assert all(o.result is not None and o.result.duplicate for o in again)
    assert snapshot(engine) == before


def test_clozapine_prescribed_by_the_trust_is_missing_from_the_gp_record(loaded: Session) -> None:
    overview = patient_overview(loaded, "9991588132")
    assert "Clozaril 100mg tablets" in active_names(overview, Feed.MENTAL_HEALTH)
    assert not any("Clozaril" in name or "Clozapine" in name for name in active_names(overview, Feed.GP))


def test_lithium_is_on_a_named_brand_at_the_gp_and_generic_at_discharge(loaded: Session) -> None:
    overview = patient_overview(loaded, "9999986986")
    assert "Priadel 400mg modified-release tablets" in active_names(overview, Feed.GP)
    assert "Lithium carbonate 400mg modified-release tablets" in active_names(overview, Feed.ACUTE)


def test_the_dose_change_at_discharge_carries_its_reason(loaded: Session) -> None:
    acute = next(v for v in patient_overview(loaded, "9997973097").views if v.feed is Feed.ACUTE)
    sertraline = next(m for m in acute.medications if m.medicine_name.startswith("Sertraline"))
    assert (sertraline.change_status, sertraline.change_reason) == ("amended", "Low mood persisting on 50mg")


def test_naproxen_stopped_in_hospital_is_still_active_at_the_gp(loaded: Session) -> None:
    overview = patient_overview(loaded, "9991141707")
    acute = next(v for v in overview.views if v.feed is Feed.ACUTE)
    naproxen = next(m for m in acute.medications if m.medicine_name.startswith("Naproxen"))
    assert (naproxen.status, naproxen.list_kind, naproxen.status_reason) == ("stopped", "discontinued", "Gastrointestinal bleed")
    assert "Naproxen 500mg tablets" in active_names(overview, Feed.GP)


def test_omeprazole_added_at_discharge_has_no_reason_recorded(loaded: Session) -> None:
    acute = next(v for v in patient_overview(loaded, "9997536452").views if v.feed is Feed.ACUTE)
    omeprazole = next(m for m in acute.medications if m.medicine_name.startswith("Omeprazole"))
    assert (omeprazole.change_status, omeprazole.change_reason) == ("added", None)


def test_the_gp_connect_patient_has_plans_a_prior_prescription_and_a_depot_last_dose(loaded: Session) -> None:
    overview = patient_overview(loaded, "9991689761")
    gp = next(v for v in overview.views if v.feed is Feed.GP)
    assert gp.message is not None and gp.message.fhir_version == "3.0.2"
    citalopram_40 = next(m for m in gp.medications if m.medicine_name == "Citalopram 40mg tablets")
    citalopram_20 = next(m for m in gp.medications if m.medicine_name == "Citalopram 20mg tablets")
    assert citalopram_40.prior_plan_id == citalopram_20.plan_id and citalopram_20.status == "stopped"
    trust = next(v for v in overview.views if v.feed is Feed.MENTAL_HEALTH)
    depot = next(m for m in trust.medications if m.medicine_name.startswith("Zuclopenthixol"))
    assert depot.last_dose_date == "2026-04-08T10:30:00+00:00"
    assert depot.prescriber == "prescribed-by-another-organisation"


def test_a_discharge_summary_without_medicines_is_not_read_as_no_medicines(loaded: Session) -> None:
    acute = next(v for v in patient_overview(loaded, "9998469783").views if v.feed is Feed.ACUTE)
    assert acute.message is not None and not acute.message.medications_known and acute.medications == []


def test_the_newer_gp_message_is_the_gp_view_and_the_older_stays_in_history(loaded: Session) -> None:
    overview = patient_overview(loaded, "9996169871")
    gp = next(v for v in overview.views if v.feed is Feed.GP)
    metformin = next(m for m in gp.medications if m.medicine_name.startswith("Metformin"))
    assert metformin.dosage_text == "Two tablets (1g) twice a day with meals"
    assert [m.feed for m in overview.history].count("gp") == 2
