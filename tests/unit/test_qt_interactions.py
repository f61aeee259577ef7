"""Citalopram or escitalopram with a QT-prolonging medicine (MHRA Drug Safety Update Dec 2011; SmPC 4.3) is a high interaction."""

from __future__ import annotations

import pytest

from medpass.domain.discrepancies import DiscrepancyCode, Harm
from medpass.domain.medicines import Coding
from tests.reconciliation_builders import discrepancies_of, dosage, lists, stated

CITALOPRAM_20 = "42269411000001107"
ESCITALOPRAM_10 = "42271211000001104"
SERTRALINE_50 = "39704111000001102"
HALOPERIDOL_5 = "321417000"
RISPERIDONE_2 = "42278911000001104"
INTRAVENOUS = Coding("http://snomed.info/sct", "47625008", "Intravenous")


def test_citalopram_with_haloperidol_is_a_high_interaction_naming_who_lists_each() -> None:
    feeds = lists(stated("gp", "Citalopram 20mg", CITALOPRAM_20), stated("gp", "Haloperidol 5mg", HALOPERIDOL_5),
                  stated("mental-health", "Haloperidol 5mg", HALOPERIDOL_5), discharge=False)
    (issue,) = discrepancies_of(feeds)
    assert (issue.code, issue.harm, issue.medicine) == (DiscrepancyCode.INTERACTION, Harm.HIGH, "Citalopram")
    assert issue.detail == (
        "Citalopram (the GP practice) is active with Haloperidol (the GP practice and the mental-health trust), which "
        "prolongs the QT interval (antipsychotic: haloperidol). Citalopram and escitalopram must not be taken with medicines "
        "that prolong the QT interval: ask the prescriber to review them together."
    )
    assert "MHRA Drug Safety Update, December 2011" in issue.source


@pytest.mark.parametrize(
    ("other", "group"),
    [
        ("Amitriptyline 10mg tablets", "tricyclic antidepressant: amitriptyline"),  # by name
        ("Largactil 25mg tablets", "antipsychotic (phenothiazine): phenothiazine"),  # by class, through a brand name
        ("Haloperidol decanoate 50mg/1ml solution for injection ampoules", "antipsychotic: haloperidol"),  # a depot
    ],
)
def test_escitalopram_with_a_qt_medicine_named_by_class_or_name_is_an_interaction(other: str, group: str) -> None:
    feeds = lists(stated("gp", "Escitalopram 10mg", ESCITALOPRAM_10), stated("gp", other), discharge=False)
    (issue,) = [i for i in discrepancies_of(feeds) if i.code is DiscrepancyCode.INTERACTION]
    assert f"({group})" in issue.detail


def test_erythromycin_counts_only_when_given_intravenously() -> None:
    oral = stated("acute", "Erythromycin 250mg gastro-resistant tablets", dosages=(dosage("250mg four times a day"),))
    iv = stated("acute", "Erythromycin 1g powder for solution for infusion vials", dosages=(dosage("1g six-hourly", route=INTRAVENOUS),))
    citalopram = stated("acute", "Citalopram 20mg", CITALOPRAM_20)
    assert [i for i in discrepancies_of(lists(citalopram, oral, feeds=("acute",), discharge=False))
            if i.code is DiscrepancyCode.INTERACTION] == []
    assert [i.code for i in discrepancies_of(lists(citalopram, iv, feeds=("acute",), discharge=False))
            if i.code is DiscrepancyCode.INTERACTION] == [DiscrepancyCode.INTERACTION]


def test_no_qt_interaction_with_a_medicine_off_the_list_or_for_another_ssri() -> None:
    with_risperidone = lists(stated("gp", "Citalopram 20mg", CITALOPRAM_20), stated("gp", "Risperidone", RISPERIDONE_2), feeds=("gp",))
    sertraline = lists(stated("gp", "Sertraline", SERTRALINE_50), stated("gp", "Haloperidol", HALOPERIDOL_5), feeds=("gp",))
    assert discrepancies_of(with_risperidone) == [] and discrepancies_of(sertraline) == []
