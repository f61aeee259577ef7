"""Allergy conflicts: an active medicine whose ingredient or class matches a recorded allergy is high severity."""

from __future__ import annotations

import pytest

from medpass.domain.discrepancies import DiscrepancyCode, Harm
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList, FeedStatement
from tests.reconciliation_builders import allergy, discrepancies_of, lists, stated

AMOXICILLIN = "39732311000001104"
NAPROXEN = "42107811000001100"
PARACETAMOL = "42109611000001109"


def _at_discharge(*statements: FeedStatement) -> list[FeedList]:
    """The acute hospital's discharge list alone (the GP and the trust send nothing)."""
    return lists(*statements, feeds=("acute",))


def test_amoxicillin_at_discharge_with_a_penicillin_anaphylaxis_recorded_by_the_gp_is_a_high_conflict() -> None:
    recorded = allergy("gp", "Penicillin", reactions=("Anaphylaxis",), criticality="high")
    (issue,) = discrepancies_of(_at_discharge(stated("acute", "Amoxicillin", AMOXICILLIN)), allergies=(recorded,))
    assert (issue.code, issue.harm, issue.medicine, issue.feeds) == (
        DiscrepancyCode.ALLERGY_CONFLICT, Harm.HIGH, "Amoxicillin", (Feed.GP, Feed.ACUTE))
    assert issue.detail == (
        "Allergy to Penicillin (anaphylaxis) recorded by the GP practice (recorded 2019-04-02); Amoxicillin (the acute "
        "hospital) is active and it is a penicillin. Do not give it until a prescriber has checked the allergy."
    )
    assert recorded.reference in issue.implicated


@pytest.mark.parametrize(
    ("substance", "code"),
    [("No known drug allergy", "409137002"), ("No known allergy", "716186003"), ("NKDA", None), ("No known drug allergies", None)],
)
def test_a_no_known_allergy_statement_is_never_a_conflict(substance: str, code: str | None) -> None:
    statement = allergy("gp", substance, code)
    assert statement.allergy.is_no_known_statement and not statement.allergy.is_current
    assert discrepancies_of(_at_discharge(stated("acute", "Amoxicillin", AMOXICILLIN)), allergies=(statement,)) == []


@pytest.mark.parametrize(
    ("clinical", "verification"), [("active", "refuted"), ("active", "entered-in-error"), ("inactive", "confirmed"), ("resolved", None)]
)
def test_a_refuted_entered_in_error_inactive_or_resolved_allergy_is_not_a_conflict(clinical: str, verification: str | None) -> None:
    recorded = allergy("gp", "Penicillin", clinical=clinical, verification=verification)
    assert discrepancies_of(_at_discharge(stated("acute", "Amoxicillin", AMOXICILLIN)), allergies=(recorded,)) == []


def test_a_cephalosporin_after_an_immediate_penicillin_reaction_is_a_conflict_and_after_a_rash_it_is_not() -> None:
    cefalexin = stated("acute", "Cefalexin 500mg capsules")
    (issue,) = discrepancies_of(_at_discharge(cefalexin), allergies=(allergy("gp", "Penicillin", reactions=("Urticaria",)),))
    assert issue.code is DiscrepancyCode.ALLERGY_CONFLICT and "NICE CG183" in issue.detail and "a cephalosporin" in issue.detail
    rash = allergy("gp", "Penicillin", reactions=("Rash",), criticality="low")
    assert discrepancies_of(_at_discharge(cefalexin), allergies=(rash,)) == []


@pytest.mark.parametrize(
    ("substance", "medicine", "why"),
    [
        ("Ibuprofen", stated("acute", "Naproxen", NAPROXEN), "it is an NSAID"),
        ("Sulphonamides", stated("acute", "Co-trimoxazole 480mg tablets"), "it is a sulfonamide"),
        ("Amoxicillin", stated("acute", "Flucloxacillin 500mg capsules"), "it is a penicillin"),
        ("Naproxen", stated("acute", "Naproxen 250mg tablets"), "it contains naproxen"),
    ],
)
def test_an_allergy_rules_out_its_ingredient_and_its_class(substance: str, medicine: FeedStatement, why: str) -> None:
    (issue,) = discrepancies_of(_at_discharge(medicine), allergies=(allergy("acute", substance),))
    assert issue.code is DiscrepancyCode.ALLERGY_CONFLICT and why in issue.detail


def test_an_allergy_does_not_rule_out_another_class_or_a_stopped_medicine() -> None:
    assert discrepancies_of(_at_discharge(stated("acute", "Paracetamol", PARACETAMOL)), allergies=(allergy("gp", "Ibuprofen"),)) == []
    stopped = stated("acute", "Naproxen", NAPROXEN, status="stopped", reason="GI bleed", discontinued=True)
    assert [i.code for i in discrepancies_of(_at_discharge(stopped), allergies=(allergy("gp", "Ibuprofen"),))] == []


def test_one_allergy_recorded_by_two_feeds_is_one_conflict_naming_both() -> None:
    both = (allergy("gp", "Penicillin", reactions=("Anaphylaxis",)), allergy("acute", "penicillin", recorded=None))
    (issue,) = discrepancies_of(_at_discharge(stated("acute", "Amoxicillin", AMOXICILLIN)), allergies=both)
    assert "recorded by the GP practice (recorded 2019-04-02) and the acute hospital;" in issue.detail
