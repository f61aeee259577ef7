"""When required (PRN) against regular: a switch is a frequency discrepancy; the most a day is compared as a dose."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from medpass.domain.discrepancies import Harm
from medpass.domain.dosing import max_daily_mg
from medpass.domain.lines import FeedList
from medpass.domain.medications import Dosage
from medpass.domain.reconciliation import ReconciliationSettings, reconcile
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import dosage, lists, stated

PARACETAMOL = "42109611000001109"
HALOPERIDOL_5 = "321417000"
REGULAR_1G_QDS = dosage("1g four times a day", "1000", 4)


def _prn(text: str, **fields: Any) -> Dosage:
    """A when-required dosage line (Dosage.asNeededBoolean) with only its text and the fields given."""
    return replace(Dosage(text=text, as_needed=True), **fields)


def _paracetamol(gp: Dosage, acute: Dosage) -> list[FeedList]:
    """Paracetamol 500 mg tablets at the GP and on the discharge, each with one dosage line."""
    return lists(stated("gp", "Paracetamol 500mg tablets", PARACETAMOL, dosages=(gp,)),
                 stated("acute", "Paracetamol 500mg tablets", PARACETAMOL, dosages=(acute,)), feeds=("gp", "acute"))


def _found(feeds: list[FeedList]) -> list[tuple[str, Harm, str]]:
    """What reconciling on 25 Nov 2026 finds, as (code, harm, detail)."""
    found = reconcile(feeds, medicines_dictionary(), "1980-01-01", date(2026, 11, 25), allergies=(),
                       settings=ReconciliationSettings(3)).discrepancies
    return [(d.code.value, d.harm, d.detail) for d in found]


def test_a_when_required_medicine_made_regular_at_the_same_daily_maximum_is_a_frequency_discrepancy_only() -> None:
    gp = _prn("1g up to 4 times a day when required", dose_value=Decimal(1), dose_unit="g")
    assert _found(_paracetamol(gp, REGULAR_1G_QDS)) == [
        ("frequency", Harm.MODERATE, "Paracetamol: taken only when required according to the GP practice, regularly according to "
                                     "the acute hospital. The GP practice: when required, up to 4 g a day; the acute hospital: 1 g four "
                                     "times a day, regularly. No reason recorded."),
    ]


def test_a_regular_total_above_the_when_required_maximum_is_also_a_dose_discrepancy() -> None:
    gp = _prn("One or two tablets when required, maximum 4 tablets in 24 hours")
    assert _found(_paracetamol(gp, REGULAR_1G_QDS)) == [
        ("dose", Harm.MODERATE, "Paracetamol: the regular total (4 g a day) is above the most allowed when required (2 g a day). "
                                "The GP practice: when required, up to 2 g a day; the acute hospital: 1 g four times a day, regularly. "
                                "No reason recorded."),
        ("frequency", Harm.MODERATE, "Paracetamol: taken only when required according to the GP practice, regularly according to "
                                     "the acute hospital. The GP practice: when required, up to 2 g a day; the acute hospital: 1 g four "
                                     "times a day, regularly. No reason recorded."),
    ]


def test_a_when_required_maximum_above_the_regular_total_is_a_dose_discrepancy_too() -> None:
    structured = _prn("When required", dose_value=Decimal(1), dose_unit="g", max_dose_value=Decimal(4), max_dose_unit="g",
                      max_dose_period=Decimal(24), max_dose_period_unit="h")
    regular = dosage("1g twice a day", "1000", 2)
    (dose, _) = _found(_paracetamol(structured, regular))
    assert dose[2].startswith("Paracetamol: the most allowed when required (4 g a day) is above the regular total (2 g a day).")


def test_when_required_on_both_sides_with_the_same_maximum_is_no_discrepancy_and_a_different_one_is_a_dose() -> None:
    four_a_day = _prn("1g when required", dose_value=Decimal(1), dose_unit="g", frequency_max=4, period=Decimal(1), period_unit="d")
    eight_tablets = _prn("One or two tablets when required, max 8 tablets in 24 hours")
    two_a_day = _prn("1g up to twice a day when required", dose_value=Decimal(1), dose_unit="g")
    assert _found(_paracetamol(four_a_day, eight_tablets)) == []
    assert [code for code, _, _ in _found(_paracetamol(four_a_day, two_a_day))] == ["dose"]


def test_a_when_required_maximum_that_cannot_be_read_leaves_the_dose_uncompared() -> None:
    vague = _prn("One or two tablets every four to six hours if needed")
    assert [code for code, _, _ in _found(_paracetamol(vague, REGULAR_1G_QDS))] == ["frequency"]


def test_a_when_required_antipsychotic_made_regular_is_high_harm() -> None:
    feeds = lists(stated("mental-health", "Haloperidol 5mg tablets", HALOPERIDOL_5, dosages=(_prn("5mg up to twice a day when required",
                                                                                                 dose_value=Decimal(5), dose_unit="mg"),)),
                  stated("acute", "Haloperidol 5mg tablets", HALOPERIDOL_5, dosages=(dosage("5mg twice a day", "5", 2),)),
                  feeds=("mental-health", "acute"))
    assert [(code, harm) for code, harm, _ in _found(feeds)] == [("frequency", Harm.HIGH)]


def test_regular_on_both_sides_is_never_a_when_required_discrepancy() -> None:
    assert _found(_paracetamol(REGULAR_1G_QDS, REGULAR_1G_QDS)) == []


def test_reads_the_most_a_day_from_every_way_a_maximum_is_written() -> None:
    tablet = Decimal(500)
    written = {
        "maxDosePerPeriod 8 tablets / 24 h": _prn("PRN", max_dose_value=Decimal(8), max_dose_unit="428673006", max_dose_period=Decimal(24),
                                                   max_dose_period_unit="h"),
        "frequencyMax": _prn("1g PRN", frequency_max=3, period=Decimal(1), period_unit="d"),
        "up to N times a day": _prn("1g up to 4 times a day when required"),
        "up to twice a day": _prn("1g up to twice a day when required"),
        "maximum N tablets in 24 hours": _prn("1-2 tablets as required, maximum 6 tablets in 24 hours"),
        "max N g a day": _prn("as required, max 3 g a day"),
        "frequency read as the most": _prn("1g four times a day when required"),
        "a weekly cap is no daily maximum": _prn("PRN", max_dose_value=Decimal(10), max_dose_unit="g", max_dose_period=Decimal(1),
                                                  max_dose_period_unit="wk"),
    }
    assert {name: max_daily_mg((line,), tablet) for name, line in written.items()} == {
        "maxDosePerPeriod 8 tablets / 24 h": Decimal(4000),
        "frequencyMax": Decimal(3000),
        "up to N times a day": Decimal(4000),
        "up to twice a day": Decimal(2000),
        "maximum N tablets in 24 hours": Decimal(3000),
        "max N g a day": Decimal(3000),
        "frequency read as the most": Decimal(4000),
        "a weekly cap is no daily maximum": None,
    }
