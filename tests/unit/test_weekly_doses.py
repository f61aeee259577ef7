"""Weekly methotrexate written daily (any sevenfold difference in times a week) is one high-harm frequency discrepancy."""

from __future__ import annotations

from decimal import Decimal

from medpass.domain.discrepancies import DiscrepancyCode, Harm
from medpass.domain.dosing import daily_dose_mg, times_per_day
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedStatement
from medpass.domain.medications import Dosage
from tests.reconciliation_builders import discrepancies_of, dosage, lists, stated

METHOTREXATE_2_5 = "41792011000001100"
SERTRALINE_50 = "39704111000001102"


def _methotrexate(feed: str, *dosages: Dosage) -> FeedStatement:
    return stated(feed, "Methotrexate 2.5mg tablets", METHOTREXATE_2_5, dosages=dosages)


def test_7_5mg_once_a_week_reads_as_a_weekly_regimen_not_7_5mg_a_day() -> None:
    structured = dosage("7.5mg once a week", "7.5", 1, every="wk")
    written = Dosage(text="Three tablets (7.5mg) once a week on Monday at night")
    assert (times_per_day(structured), daily_dose_mg((structured,), None)) == (Decimal(1) / 7, Decimal("1.0714"))
    assert times_per_day(written) == Decimal(1) / 7


def test_methotrexate_daily_in_one_feed_and_weekly_in_another_is_one_high_frequency_discrepancy() -> None:
    feeds = lists(_methotrexate("gp", dosage("7.5mg once a week", "7.5", 1, every="wk")),
                  _methotrexate("acute", dosage("7.5mg daily", "7.5", 1)))
    (issue,) = discrepancies_of(feeds)
    assert (issue.code, issue.harm, issue.medicine, issue.feeds) == (DiscrepancyCode.FREQUENCY, Harm.HIGH, "Methotrexate",
                                                                     (Feed.GP, Feed.ACUTE))
    assert issue.detail == (
        "Methotrexate is written to be taken seven times as often in one feed as in another: the GP practice: once a week "
        "(7.5 mg a week); the acute hospital: once a day (52.5 mg a week). Methotrexate for arthritis, psoriasis or Crohn's "
        "disease is taken once a week; taken daily it is a sevenfold overdose that can kill. Check which is right before the "
        "next dose."
    )
    assert "NPSA" in issue.source and "MHRA" in issue.source


def test_methotrexate_weekly_in_both_feeds_written_differently_is_not_a_discrepancy() -> None:
    feeds = lists(_methotrexate("gp", dosage("7.5mg once a week", "7.5", 1, every="wk")),
                  _methotrexate("acute", Dosage(text="Three tablets (7.5mg) once weekly at night")))
    assert discrepancies_of(feeds) == []


def test_a_sevenfold_difference_of_a_medicine_that_is_not_weekly_stays_an_ordinary_difference() -> None:
    feeds = lists(stated("gp", "Sertraline", SERTRALINE_50, dosages=(dosage("50mg weekly", "50", 1, every="wk"),)),
                  stated("acute", "Sertraline", SERTRALINE_50, dosages=(dosage("50mg daily", "50", 1),)))
    issues = discrepancies_of(feeds)
    assert [(i.code, i.harm) for i in issues] == [(DiscrepancyCode.DOSE, Harm.MODERATE), (DiscrepancyCode.FREQUENCY, Harm.MODERATE)]
    assert not any("seven" in i.detail for i in issues)
