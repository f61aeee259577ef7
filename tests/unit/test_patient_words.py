"""The patient's voice: a plain sentence for every finding and every state, and medicine-specific safety advice."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from medpass.domain.agreement import AgreedState, LineAgreement
from medpass.domain.dates import long_date
from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.medications import Dosage
from medpass.domain.medicine_advice import AdviceInputs, advice_for, dangerous_to_stop
from medpass.domain.patient_voice import issue_text, state_text
from tests.reconciliation_builders import agreements_of, lists, stated

CLOZARIL = "3832011000001100"
PRIADEL = "766311000001100"
VALPROATE = "322957006"
SERTRALINE_50 = "39704111000001102"
AMLODIPINE = "39732011000001102"
METHOTREXATE_2_5 = "41792011000001100"
TODAY = date(2026, 11, 25)
#: Words a patient should never have to decode.
SHORTHAND = re.compile(r"\b(PRN|TDS|BD|QDS|OD|NKDA|IM|MR|VTM|VMP|AMP|dm\+d|feed|DetectedIssue|L[0-4]b?)\b")


def _agreement(*statements: object, name: str) -> LineAgreement:
    """One line's agreement, reconciled on 25 November 2026."""
    return agreements_of(lists(*statements))[name]  # type: ignore[arg-type]


def _issue(code: str, agreement: LineAgreement) -> StoredIssue:
    """An open finding of this code about the line."""
    at = datetime(2026, 11, 25, tzinfo=UTC)
    refs = tuple(m.statement.reference for m in agreement.line.members)
    return StoredIssue("x", 1, code, "high", agreement.name, "clinician words", False, refs, IssueStatus.OPEN, True, at, at)


@pytest.mark.parametrize("code", [c for c in DiscrepancyCode if c not in (
    DiscrepancyCode.STOPPED_ELSEWHERE, DiscrepancyCode.DOSE, DiscrepancyCode.FREQUENCY, DiscrepancyCode.ROUTE, DiscrepancyCode.FORM)])
def test_every_finding_the_agreed_state_does_not_already_explain_has_its_own_plain_sentence(code: DiscrepancyCode) -> None:
    agreement = _agreement(stated("gp", "Sertraline 50mg", SERTRALINE_50), stated("acute", "Sertraline 50mg", SERTRALINE_50),
                           name="Sertraline")
    if code in (DiscrepancyCode.OMISSION, DiscrepancyCode.ADDITION):
        agreement = _agreement(stated("gp", "Amlodipine", AMLODIPINE), stated("acute", "Sertraline 50mg", SERTRALINE_50,
                                                                               change=("added", "Low mood")), name="Sertraline")
    text = issue_text(_issue(code.value, agreement), agreement.line, (), agreement)
    assert text and text != "Your care team is checking this medicine." and text[0].isupper() and text.endswith(".")
    assert SHORTHAND.search(text) is None


def test_every_state_but_agreed_tells_the_patient_what_happened_and_what_to_do() -> None:
    ended = _agreement(stated("acute", "Sertraline 50mg", SERTRALINE_50, change=("added", "Low mood"), ended="2026-04-01"),
                       name="Sertraline")
    stopped = _agreement(stated("gp", "Sertraline", SERTRALINE_50),
                         stated("acute", "Sertraline", SERTRALINE_50, status="stopped", reason="Hyponatraemia", discontinued=True),
                         name="Sertraline")
    paused = replace(stopped, state=AgreedState.ON_HOLD)
    assert (state_text(ended), state_text(stopped), state_text(paused)) == (
        ("The course finished on 1 April 2026.",),
        ("Stopped on 10 March 2026 by the hospital: Hyponatraemia.", "Do not take it unless you are told to start it again."),
        ("Paused on 10 March 2026 by the hospital: Hyponatraemia.", "Do not take it until you are told to start it again."),
    )


def test_clozapine_advice_says_to_report_infection_at_once_and_not_to_restart_after_48_hours() -> None:
    agreement = _agreement(stated("mental-health", "Clozaril", CLOZARIL), name="Clozapine")
    advice = advice_for(agreement.line, AdviceInputs("male", 40, None, TODAY))
    assert [a.split(",")[0] for a in advice] == ["If you get a sore throat", "If you miss your clozapine for more than 48 hours (2 days)"]
    assert dangerous_to_stop(agreement.line)


def test_valproate_pregnancy_advice_is_for_women_and_girls_who_could_become_pregnant_only() -> None:
    line = _agreement(stated("gp", "Sodium valproate", VALPROATE), name="Sodium valproate").line
    said = {who: bool(advice_for(line, AdviceInputs(gender, age, None, TODAY)))
            for who, gender, age in [("woman of 30", "female", 30), ("woman, age unknown", "female", None), ("man of 30", "male", 30),
                                     ("woman of 60", "female", 60), ("girl of 11", "female", 11)]}
    assert said == {"woman of 30": True, "woman, age unknown": True, "man of 30": False, "woman of 60": False, "girl of 11": False}


def test_lithium_advice_names_the_signs_of_toxicity_one_brand_and_the_level_due() -> None:
    line = _agreement(stated("gp", "Priadel", PRIADEL), name="Lithium carbonate").line
    due_soon = advice_for(line, AdviceInputs(None, None, date(2027, 1, 20), TODAY))
    overdue = advice_for(line, AdviceInputs(None, None, date(2026, 4, 20), TODAY))
    assert "signs of too much lithium" in due_soon[0] and "same brand" in due_soon[1]
    assert (due_soon[2], overdue[2]) == ("Your next lithium blood test is due by 20 January 2027.",
                                         "Your lithium blood test was due by 20 April 2026. Ask your mental-health team or GP "
                                         "practice to arrange it now.")


def test_weekly_methotrexate_advice_names_the_day_when_the_dosage_gives_one() -> None:
    weekly = Dosage(text="7.5mg once a week on Monday", frequency=1, period=Decimal(1), period_unit="wk",
                    day_of_week=("mon",))
    on_monday = _agreement(stated("gp", "Methotrexate 2.5mg tablets", METHOTREXATE_2_5, dosages=(weekly,)), name="Methotrexate").line
    no_day = _agreement(stated("gp", "Methotrexate 2.5mg tablets", METHOTREXATE_2_5), name="Methotrexate").line
    inputs = AdviceInputs(None, None, None, TODAY)
    assert advice_for(on_monday, inputs) == ("Take methotrexate once a week only, on a Monday. Never take it every day.",)
    assert advice_for(no_day, inputs) == ("Take methotrexate once a week only, on the same day each week. Never take it every day. "
                                          "Check the day with your pharmacist.",)


def test_medicines_that_are_not_dangerous_to_stop_get_no_such_warning() -> None:
    assert not dangerous_to_stop(_agreement(stated("gp", "Amlodipine", AMLODIPINE), name="Amlodipine").line)
    assert long_date("2026-04-08") == "8 April 2026" and long_date("2026-04") == "April 2026" and long_date(None) == "date not recorded"
