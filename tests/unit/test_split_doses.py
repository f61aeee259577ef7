"""Every entry of one medicine in one feed: one dose split by time of day is summed; anything else is a duplicate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from medpass.domain.discrepancies import Harm
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.medications import Dosage
from medpass.domain.reconciliation import ReconciliationSettings, reconcile
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import dosage, lists, stated

OLANZAPINE_10 = "42275511000001103"
OLANZAPINE_5 = "42276111000001101"
CO_CODAMOL_30 = "42009811000001101"
CO_CODAMOL_8 = "42010211000001106"


def _at(text: str, mg: str, *when: str) -> Dosage:
    """A dose once a day at the named times (FHIR EventTiming)."""
    return replace(dosage(text, mg, 1), when=when, frequency=None, period=None, period_unit=None) if when else dosage(text, mg, 1)


MORNING_10, NIGHT_20 = _at("10mg in the morning", "10", "MORN"), _at("20mg at night", "20", "HS")


def _found(feeds: list[FeedList]) -> list[tuple[str, Harm, str, str]]:
    """What reconciling on 25 Nov 2026 finds, as (code, harm, medicine, detail)."""
    return [(d.code.value, d.harm, d.medicine, d.detail)
            for d in reconcile(feeds, medicines_dictionary(), "1980-01-01", date(2026, 11, 25), allergies=(),
                       settings=ReconciliationSettings(3)).discrepancies]


def _gp_split_olanzapine() -> tuple[FeedStatement, ...]:
    """The GP's olanzapine as two statements of one product: 10 mg in the morning, 20 mg at night."""
    return (stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(MORNING_10,)),
            stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(NIGHT_20,)))


def test_one_product_split_by_time_of_day_is_summed_and_agrees_with_the_same_total_elsewhere() -> None:
    trust = stated("mental-health", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(MORNING_10, NIGHT_20))
    assert _found(lists(*_gp_split_olanzapine(), trust, feeds=("gp", "mental-health"))) == []


def test_a_split_dose_is_compared_by_its_total_with_another_feed() -> None:
    trust = stated("mental-health", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(_at("20mg at night", "20", "HS"),))
    assert _found(lists(*_gp_split_olanzapine(), trust, feeds=("gp", "mental-health"))) == [
        ("dose", Harm.HIGH, "Olanzapine", "Olanzapine: the feeds differ in total daily dose. The GP practice: 30 mg a day; "
                                          "the mental-health trust: 20 mg a day. No reason recorded."),
        ("frequency", Harm.HIGH, "Olanzapine", "Olanzapine: the feeds differ in how often it is taken. The GP practice: "
                                                   "twice a day; the mental-health trust: once a day. No reason recorded."),
    ]


def test_the_same_product_twice_at_the_same_time_of_day_is_a_duplicate() -> None:
    twice = (stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(NIGHT_20,)),
             stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(NIGHT_20,)))
    assert _found(lists(*twice, feeds=("gp",))) == [
        ("duplicate-ingredient", Harm.HIGH, "Olanzapine",
         "The GP practice lists Olanzapine as active 2 times: Olanzapine 10mg tablets (20mg at night); Olanzapine 10mg tablets "
         "(20mg at night). They are not one dose split by time of day (the same product at different times): check which is meant."),
    ]


def test_entries_that_name_no_time_of_day_are_a_duplicate_not_a_split_dose() -> None:
    daily = dosage("10mg once daily", "10", 1)
    twice = (stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(daily,)),
             stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(NIGHT_20,)))
    assert [code for code, *_ in _found(lists(*twice, feeds=("gp",)))] == ["duplicate-ingredient"]


def test_two_products_of_one_medicine_at_different_times_are_a_duplicate_and_their_feeds_dose_is_not_compared() -> None:
    two_products = (stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(MORNING_10,)),
                    stated("gp", "Olanzapine 5mg tablets", OLANZAPINE_5, dosages=(_at("5mg at night", "5", "HS"),)))
    trust = stated("mental-health", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(_at("20mg at night", "20", "HS"),))
    assert [code for code, *_ in _found(lists(*two_products, trust, feeds=("gp", "mental-health")))] == ["duplicate-ingredient"]


def test_two_strengths_of_one_compound_analgesic_on_one_list_are_a_high_harm_duplicate() -> None:
    both = (stated("acute", "Co-codamol 30mg/500mg tablets", CO_CODAMOL_30, dosages=(dosage("Two tablets four times a day"),)),
            stated("acute", "Co-codamol 8mg/500mg tablets", CO_CODAMOL_8, dosages=(dosage("Two tablets when required"),)))
    ((code, harm, medicine, _),) = _found(lists(*both, feeds=("acute",)))
    assert (code, harm, medicine) == ("duplicate-ingredient", Harm.HIGH, "Codeine phosphate + paracetamol")


def test_a_when_required_entry_beside_a_regular_one_is_never_read_as_a_split_dose() -> None:
    prn = _at("10mg at night when required", "10", "HS")
    both = (stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(MORNING_10,)),
            stated("gp", "Olanzapine 10mg tablets", OLANZAPINE_10, dosages=(prn,)))
    assert [code for code, *_ in _found(lists(*both, feeds=("gp",)))] == ["duplicate-ingredient"]
