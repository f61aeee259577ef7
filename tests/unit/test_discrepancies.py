"""Every discrepancy code, each with the case where it must not fire."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm
from medpass.domain.lab_results import LITHIUM_LEVEL, VALPROATE_ACKNOWLEDGEMENT, LabResult
from medpass.domain.lines import FeedList
from medpass.domain.reconciliation import reconcile
from medpass.reference.dictionary import medicines_dictionary
from tests.conftest import RECONCILIATION
from tests.reconciliation_builders import INTRAMUSCULAR, dosage, lists, stated

CLOZARIL = "3832011000001100"
ATORVASTATIN = "39733011000001106"
AMOXICILLIN = "39732311000001104"
NAPROXEN = "42107811000001100"
CITALOPRAM_20 = "42269411000001107"
CITALOPRAM_40 = "42269511000001106"
SERTRALINE_50 = "39704111000001102"
SERTRALINE_100 = "39704011000001103"
LUSTRAL_50 = "936411000001108"
METFORMIN_500 = "42084911000001109"
QUETIAPINE_25 = "42278311000001100"
QUETIAPINE_50_MR = "14042811000001105"
PRIADEL = "766311000001100"
LITHIUM_400_MR = "39110111000001103"
CO_CODAMOL = "42009811000001101"
PARACETAMOL = "42109611000001109"
OLANZAPINE = "42275511000001103"
RISPERIDONE = "42278911000001104"
AMLODIPINE = "39732011000001102"
ARIPIPRAZOLE_DEPOT = "23661211000001102"


RECENT_LEVEL = (LabResult(LITHIUM_LEVEL, "2026-11-01", Decimal("0.7"), "mmol/L"),)


def run(feeds: list[FeedList], birth_date: str | None, tests: tuple[LabResult, ...], gender: str | None = None) -> list[Discrepancy]:
    """Reconcile on 25 Nov 2026 (no allergies recorded: allergy conflicts have tests of their own)."""
    result = reconcile(feeds, medicines_dictionary(), birth_date, date(2026, 11, 25), tests, gender, allergies=(),
                       settings=RECONCILIATION)
    return list(result.discrepancies)


def found(feeds: list[FeedList], birth_date: str | None = "1980-01-01") -> list[Discrepancy]:
    """Reconcile on 25 Nov 2026, with a lithium level taken this month (monitoring has tests of its own)."""
    return run(feeds, birth_date, RECENT_LEVEL)


def codes(feeds: list[FeedList], birth_date: str | None = "1980-01-01") -> list[str]:
    """The codes found, in rank order."""
    return [d.code.value for d in found(feeds, birth_date)]


def test_clozapine_from_the_trust_missing_at_the_gp_is_a_high_harm_omission() -> None:
    (issue,) = found(lists(stated("mental-health", "Clozaril", CLOZARIL), stated("acute", "Clozaril", CLOZARIL)))
    assert (issue.code, issue.harm, issue.documented) == (DiscrepancyCode.OMISSION, Harm.HIGH, False)
    assert "GP practice's list" in issue.detail and len(issue.implicated) == 2


def test_no_omission_where_the_list_is_not_known_or_holds_the_medicine() -> None:
    assert codes(lists(stated("mental-health", "Clozaril", CLOZARIL), unknown=("gp", "acute"))) == []
    assert codes(lists(*(stated(f, "Clozaril", CLOZARIL) for f in ("gp", "mental-health", "acute")))) == []


def test_the_mental_health_feed_is_not_expected_to_list_a_statin() -> None:
    assert codes(lists(stated("gp", "Atorvastatin", ATORVASTATIN), stated("acute", "Atorvastatin", ATORVASTATIN))) == []


def test_a_medicine_added_at_discharge_with_a_reason_is_a_documented_addition() -> None:
    (issue,) = found(lists(stated("acute", "Amoxicillin", AMOXICILLIN, change=("added", "Pneumonia"))))
    assert (issue.code, issue.documented, issue.harm) == (DiscrepancyCode.ADDITION, True, Harm.LOW)
    (undocumented,) = found(lists(stated("acute", "Amoxicillin", AMOXICILLIN, change=("added", None))))
    assert (undocumented.documented, undocumented.harm) == (False, Harm.MODERATE)


def test_no_addition_once_the_gp_lists_it() -> None:
    assert codes(lists(stated("acute", "Amoxicillin", AMOXICILLIN, change=("added", "x")), stated("gp", "Amoxicillin", AMOXICILLIN))) == []


def test_stopped_in_hospital_but_active_at_the_gp_is_stopped_elsewhere() -> None:
    feeds = lists(stated("acute", "Naproxen", NAPROXEN, status="stopped", reason="GI bleed", discontinued=True),
                  stated("gp", "Naproxen", NAPROXEN))
    (issue,) = found(feeds)
    assert (issue.code, issue.harm, issue.documented) == (DiscrepancyCode.STOPPED_ELSEWHERE, Harm.HIGH, True)
    assert "GI bleed" in issue.detail


def test_a_dose_change_within_one_feed_is_not_stopped_elsewhere() -> None:
    feeds = lists(stated("gp", "Citalopram 20mg", CITALOPRAM_20, status="stopped", reason="dose increased"),
                  stated("gp", "Citalopram 40mg", CITALOPRAM_40), stated("acute", "Citalopram 40mg", CITALOPRAM_40))
    assert codes(feeds) == []


def test_a_different_total_daily_dose_is_a_dose_discrepancy_with_its_reason() -> None:
    feeds = lists(stated("gp", "Sertraline 50mg", SERTRALINE_50, dosages=(dosage("One each morning", "50", 1),)),
                  stated("acute", "Sertraline 100mg", SERTRALINE_100, dosages=(dosage("One each morning", "100", 1),),
                         change=("amended", "Low mood")))
    (issue,) = found(feeds)
    assert (issue.code, issue.documented) == (DiscrepancyCode.DOSE, True)
    assert "50 mg a day" in issue.detail and "100 mg a day" in issue.detail


def test_the_same_daily_dose_from_other_strengths_is_not_a_dose_discrepancy() -> None:
    feeds = lists(stated("gp", "Quetiapine 25mg", QUETIAPINE_25, dosages=(dosage("Two tablets (50mg) at night"),)),
                  stated("mental-health", "Quetiapine 50mg MR", QUETIAPINE_50_MR, dosages=(dosage("One tablet at night"),)),
                  stated("acute", "Quetiapine 50mg MR", QUETIAPINE_50_MR, dosages=(dosage("One tablet at night"),)))
    assert codes(feeds) == ["form"]


def test_the_same_daily_dose_split_differently_is_a_frequency_discrepancy_only() -> None:
    feeds = lists(stated("gp", "Metformin", METFORMIN_500, dosages=(dosage("1g once a day", "1000", 1),)),
                  stated("acute", "Metformin", METFORMIN_500, dosages=(dosage("500mg twice a day", "500", 2),)))
    assert codes(feeds) == ["frequency"]


def test_another_route_is_a_route_discrepancy_and_the_same_route_is_not() -> None:
    depot = (dosage("400mg monthly", "400", None, INTRAMUSCULAR),)
    oral = (dosage("400mg monthly", "400", None),)
    assert "route" in codes(lists(stated("gp", "Aripiprazole", ARIPIPRAZOLE_DEPOT, dosages=depot),
                                  stated("mental-health", "Aripiprazole", ARIPIPRAZOLE_DEPOT, dosages=oral)))
    assert "route" not in codes(lists(stated("gp", "Aripiprazole", ARIPIPRAZOLE_DEPOT, dosages=depot),
                                      stated("mental-health", "Aripiprazole", ARIPIPRAZOLE_DEPOT, dosages=depot)))


def test_lithium_on_a_brand_and_generic_is_a_brand_switch() -> None:
    feeds = lists(stated("gp", "Priadel", PRIADEL), stated("mental-health", "Priadel", PRIADEL),
                  stated("acute", "Lithium carbonate", LITHIUM_400_MR))
    (issue,) = found(feeds)
    assert (issue.code, issue.harm) == (DiscrepancyCode.BRAND_SWITCH, Harm.HIGH)


def test_brand_and_generic_of_a_medicine_that_is_not_brand_critical_is_not_a_discrepancy() -> None:
    assert codes(lists(stated("gp", "Lustral", LUSTRAL_50), stated("acute", "Sertraline", SERTRALINE_50))) == []


def test_co_codamol_and_paracetamol_together_are_a_duplicate_ingredient() -> None:
    feeds = lists(stated("gp", "Co-codamol", CO_CODAMOL), stated("acute", "Co-codamol", CO_CODAMOL),
                  stated("acute", "Paracetamol", PARACETAMOL, change=("added", "pain")))
    issues = found(feeds)
    duplicate = next(i for i in issues if i.code is DiscrepancyCode.DUPLICATE_INGREDIENT)
    assert duplicate.harm is Harm.HIGH and "paracetamol" in duplicate.detail
    assert codes(lists(stated("gp", "Co-codamol", CO_CODAMOL), stated("acute", "Co-codamol", CO_CODAMOL))) == []


def test_the_same_medicine_twice_in_one_list_is_a_duplicate_ingredient() -> None:
    feeds = lists(stated("gp", "Sertraline", SERTRALINE_50), stated("gp", "Sertraline", SERTRALINE_100), discharge=False)
    assert codes(feeds) == ["duplicate-ingredient"]


def test_two_antipsychotics_are_advised_as_a_duplicate_class_and_one_is_not() -> None:
    two = lists(stated("gp", "Olanzapine", OLANZAPINE), stated("mental-health", "Olanzapine", OLANZAPINE),
                stated("gp", "Risperidone", RISPERIDONE), stated("mental-health", "Risperidone", RISPERIDONE), discharge=False)
    (issue,) = found(two)
    assert (issue.code, issue.harm) == (DiscrepancyCode.DUPLICATE_CLASS, Harm.LOW)
    assert codes(lists(stated("gp", "Olanzapine", OLANZAPINE), stated("mental-health", "Olanzapine", OLANZAPINE), discharge=False)) == []


def test_lithium_with_an_nsaid_is_an_interaction_and_with_amlodipine_it_is_not() -> None:
    both = [stated(f, "Priadel", PRIADEL) for f in ("gp", "mental-health")]
    with_nsaid = lists(*both, stated("gp", "Naproxen", NAPROXEN), discharge=False)
    assert [i.code for i in found(with_nsaid)] == [DiscrepancyCode.INTERACTION]
    assert codes(lists(*both, stated("gp", "Amlodipine", AMLODIPINE), discharge=False)) == []


def test_citalopram_40mg_is_over_the_limit_at_70_but_not_at_46() -> None:
    feeds = lists(stated("gp", "Citalopram 40mg", CITALOPRAM_40, dosages=(dosage("One each morning", "40", 1),)), discharge=False)
    (issue,) = found(feeds, birth_date="1956-05-01")
    assert (issue.code, issue.harm) == (DiscrepancyCode.DOSE_LIMIT, Harm.HIGH) and "aged 70" in issue.detail
    assert codes(feeds, birth_date="1980-05-01") == []


def test_discrepancies_are_ranked_most_harmful_first() -> None:
    feeds = lists(stated("mental-health", "Clozaril", CLOZARIL), stated("acute", "Clozaril", CLOZARIL),
                  stated("acute", "Amoxicillin", AMOXICILLIN, change=("added", "Pneumonia")))
    assert [i.harm for i in found(feeds)] == [Harm.HIGH, Harm.LOW]


def _lithium_level(taken_on: str) -> tuple[LabResult, ...]:
    return (LabResult(LITHIUM_LEVEL, taken_on, Decimal("0.7"), "mmol/L"),)


def monitoring(feeds: list[FeedList], tests: tuple[LabResult, ...], birth_date: str = "1980-01-01") -> list[Discrepancy]:
    """Monitoring-due issues on 25 Nov 2026."""
    found = run(feeds, birth_date, tests)
    return [d for d in found if d.code is DiscrepancyCode.MONITORING_DUE]


def _on_lithium(started: str = "2020-01-01") -> list[FeedList]:
    return lists(stated("gp", "Priadel", PRIADEL, started=started), stated("mental-health", "Priadel", PRIADEL, started=started),
                 discharge=False)


def test_lithium_with_no_level_in_any_feed_is_monitoring_due() -> None:
    (issue,) = monitoring(_on_lithium(), ())
    assert issue.harm is Harm.MODERATE and "no lithium level" in issue.detail and "every 6 months" in issue.detail


def test_a_lithium_level_older_than_six_months_is_overdue_and_a_recent_one_is_not() -> None:
    (issue,) = monitoring(_on_lithium(), _lithium_level("2026-04-30"))
    assert issue.harm is Harm.HIGH and "30 April 2026" in issue.detail
    assert monitoring(_on_lithium(), _lithium_level("2026-06-30")) == []


def test_levels_are_three_monthly_in_the_first_year_from_65_and_with_an_interacting_medicine() -> None:
    level = _lithium_level("2026-07-30")  # four months before 25 Nov 2026
    assert monitoring(_on_lithium(), level) == []
    assert len(monitoring(_on_lithium(started="2026-03-01"), level)) == 1
    assert len(monitoring(_on_lithium(), level, birth_date="1955-01-01")) == 1
    with_nsaid = [*_on_lithium()[:2], *lists(stated("gp", "Naproxen", NAPROXEN), feeds=("gp",), discharge=False)]
    assert any(d.code is DiscrepancyCode.MONITORING_DUE for d in found_with_tests(with_nsaid, level))


def found_with_tests(feeds: list[FeedList], tests: tuple[LabResult, ...]) -> list[Discrepancy]:
    return run(feeds, "1980-01-01", tests)


VALPROATE = "322957006"


def _on_valproate() -> list[FeedList]:
    return lists(stated("gp", "Sodium valproate", VALPROATE), stated("mental-health", "Sodium valproate", VALPROATE), discharge=False)


def valproate_issues(records: tuple[LabResult, ...], birth_date: str = "1996-05-01", gender: str = "female") -> list[Discrepancy]:
    found = run(_on_valproate(), birth_date, records, gender)
    return [d for d in found if d.code is DiscrepancyCode.MONITORING_DUE]


def _acknowledged(on: str) -> tuple[LabResult, ...]:
    return (LabResult(VALPROATE_ACKNOWLEDGEMENT, on),)


def test_valproate_for_a_young_woman_with_no_acknowledgement_in_the_feeds_is_flagged() -> None:
    (issue,) = valproate_issues(())
    assert issue.harm is Harm.MODERATE and "annual risk acknowledgement" in issue.detail


def test_valproate_with_an_acknowledgement_over_a_year_old_is_overdue_and_a_recent_one_is_not() -> None:
    (issue,) = valproate_issues(_acknowledged("2025-10-01"))
    assert issue.harm is Harm.HIGH and "1 October 2025" in issue.detail
    assert valproate_issues(_acknowledged("2026-02-01")) == []


def test_valproate_for_a_man_or_a_woman_over_55_is_not_flagged() -> None:
    assert valproate_issues((), gender="male") == []
    assert valproate_issues((), birth_date="1960-01-01") == []
