"""Harm by the medicine, not the dictionary: high-alert medicines (reference/high_alert.csv) are high harm, coded or not."""

from __future__ import annotations

from medpass.domain.discrepancies import DiscrepancyCode, Harm
from tests.reconciliation_builders import discrepancies_of, dosage, lists, stated

ATORVASTATIN = "39733011000001106"
WARFARIN = "777947006"


def test_an_uncoded_depot_missing_at_the_gp_is_a_high_harm_omission() -> None:
    depot = "Xeplion 100mg/1ml suspension for injection pre-filled syringes"
    (issue,) = discrepancies_of(lists(stated("mental-health", depot), stated("acute", depot)))
    assert (issue.code, issue.harm, issue.medicine) == (DiscrepancyCode.OMISSION, Harm.HIGH, "Paliperidone")


def test_an_uncoded_medicine_that_is_not_high_alert_missing_at_the_gp_is_moderate() -> None:
    (issue,) = discrepancies_of(lists(stated("acute", "Gliclazide 40mg tablets")))
    assert (issue.code, issue.harm) == (DiscrepancyCode.OMISSION, Harm.MODERATE)


def test_an_anticoagulant_left_off_a_discharge_is_high_harm_and_a_statin_is_not() -> None:
    (warfarin,) = discrepancies_of(lists(stated("gp", "Warfarin", WARFARIN), feeds=("gp", "acute")))
    (uncoded,) = discrepancies_of(lists(stated("gp", "Apixaban 5mg tablets"), feeds=("gp", "acute")))
    (statin,) = discrepancies_of(lists(stated("gp", "Atorvastatin", ATORVASTATIN), feeds=("gp", "acute")))
    assert [(i.code, i.harm) for i in (warfarin, uncoded, statin)] == [
        (DiscrepancyCode.OMISSION, Harm.HIGH), (DiscrepancyCode.OMISSION, Harm.HIGH), (DiscrepancyCode.OMISSION, Harm.MODERATE)]


def test_an_opioid_taken_more_often_in_one_feed_is_a_high_harm_frequency_difference() -> None:
    feeds = lists(stated("gp", "Morphine sulfate 10mg modified-release tablets", dosages=(dosage("10mg twice a day", "10", 2),)),
                  stated("acute", "Morphine sulfate 10mg modified-release tablets", dosages=(dosage("5mg four times a day", "5", 4),)))
    (issue,) = discrepancies_of(feeds)
    assert (issue.code, issue.harm) == (DiscrepancyCode.FREQUENCY, Harm.HIGH)


def test_an_undocumented_start_of_a_high_alert_medicine_is_a_high_harm_addition() -> None:
    (issue,) = discrepancies_of(lists(stated("acute", "Warfarin", WARFARIN, change=("added", None))))
    (documented,) = discrepancies_of(lists(stated("acute", "Warfarin", WARFARIN, change=("added", "Atrial fibrillation"))))
    assert [(i.code, i.harm) for i in (issue, documented)] == [(DiscrepancyCode.ADDITION, Harm.HIGH), (DiscrepancyCode.ADDITION, Harm.LOW)]
