"""Lithium salts and preparations: one medicine for matching; a switch advises a level; doses compare in mmol, not mg."""

from __future__ import annotations

from datetime import date

from medpass.domain.discrepancies import DiscrepancyCode, Harm
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedStatement
from tests.reconciliation_builders import discrepancies_of, dosage, lists, stated

PRIADEL_400 = "766311000001100"
CAMCOLIT_400 = "250211000001105"
LITHIUM_400_MR = "39110111000001103"
NAPROXEN = "42107811000001100"
CITRATE = "Lithium citrate 520mg/5ml oral solution"


def _priadel(feed: str) -> FeedStatement:
    return stated(feed, "Priadel 400mg modified-release tablets", PRIADEL_400, dosages=(dosage("800mg at night", "800", 1),))


def _citrate(feed: str, ml: str) -> FeedStatement:
    return stated(feed, CITRATE, dosages=(dosage(f"{ml}ml at night", ml, 1, unit="ml"),))


def test_priadel_tablets_and_citrate_liquid_at_discharge_are_one_line_with_a_high_switch_that_advises_a_level() -> None:
    feeds = lists(_priadel("gp"), _priadel("mental-health"), _citrate("acute", "20"))  # 20 ml a day: 21.6 mmol, as 800 mg carbonate
    (issue,) = discrepancies_of(feeds)
    assert (issue.code, issue.harm, issue.medicine, issue.feeds) == (
        DiscrepancyCode.FORM, Harm.HIGH, "Lithium carbonate", (Feed.GP, Feed.MENTAL_HEALTH, Feed.ACUTE))
    assert issue.detail == (
        "Lithium carbonate: the feeds name a different lithium preparation (salt or form). The GP practice: Priadel 400mg "
        "modified-release tablets (lithium carbonate); the mental-health trust: Priadel 400mg modified-release tablets "
        "(lithium carbonate); the acute hospital: Lithium citrate 520mg/5ml oral solution (lithium citrate). No reason "
        "recorded. Lithium preparations are not interchangeable mg for mg and a switch is a new treatment: confirm which one "
        "the patient takes and check the lithium level."
    )


def test_a_different_amount_of_lithium_across_salts_is_a_dose_discrepancy_in_mmol() -> None:
    feeds = lists(_priadel("gp"), _priadel("mental-health"), _citrate("acute", "10"))  # 10 ml a day: 10.8 mmol
    dose = next(i for i in discrepancies_of(feeds) if i.code is DiscrepancyCode.DOSE)
    assert dose.harm is Harm.HIGH
    assert "the GP practice: about 21.6 mmol of lithium a day" in dose.detail
    assert "the acute hospital: about 10.8 mmol of lithium a day" in dose.detail


def test_the_raw_mg_of_two_salts_is_never_compared() -> None:
    citrate_in_mg = stated("acute", "Li-Liquid 509mg/5ml oral solution", dosages=(dosage("2036mg at night", "2036", 1),))
    feeds = lists(_priadel("gp"), _priadel("mental-health"), citrate_in_mg)  # 2036 mg citrate is 21.6 mmol, as 800 mg carbonate
    assert [i.code for i in discrepancies_of(feeds)] == [DiscrepancyCode.FORM]


def test_two_carbonate_brands_are_a_brand_switch_that_advises_a_level_and_one_brand_is_not() -> None:
    camcolit = stated("acute", "Camcolit 400", CAMCOLIT_400, dosages=(dosage("800mg at night", "800", 1),))
    (issue,) = discrepancies_of(lists(_priadel("gp"), _priadel("mental-health"), camcolit))
    assert (issue.code, issue.harm) == (DiscrepancyCode.BRAND_SWITCH, Harm.HIGH)
    assert "different lithium brand" in issue.detail and issue.detail.endswith("check the lithium level.")
    reasoned = stated("acute", "Camcolit 400", CAMCOLIT_400, dosages=(dosage("800mg at night", "800", 1),), change=("amended", "Supply"))
    (documented,) = discrepancies_of(lists(_priadel("gp"), _priadel("mental-health"), reasoned))
    assert documented.documented and "Reason recorded: Supply." in documented.detail
    assert discrepancies_of(lists(_priadel("gp"), _priadel("mental-health"), _priadel("acute"))) == []


def test_an_uncoded_li_liquid_is_lithium_for_interactions_and_monitoring() -> None:
    li_liquid = stated("mental-health", "Li-Liquid 509mg/5ml oral solution", dosages=(dosage("20ml at night", "20", 1, unit="ml"),))
    feeds = lists(li_liquid, stated("gp", "Li-Liquid 509mg/5ml oral solution"), stated("gp", "Naproxen", NAPROXEN), discharge=False)
    codes = {i.code for i in discrepancies_of(feeds)}
    assert codes == {DiscrepancyCode.INTERACTION}
    unmonitored = discrepancies_of(lists(li_liquid, stated("gp", "Li-Liquid 509mg/5ml oral solution"), discharge=False),
                                   today=date(2027, 6, 1))
    assert [i.code for i in unmonitored] == [DiscrepancyCode.MONITORING_DUE]
