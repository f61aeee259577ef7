"""An acute list that names medicines is compared for omissions, whatever envelope it came in; one naming none is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from medpass.domain.lines import FeedList
from medpass.domain.reconciliation import ReconciliationSettings, reconcile
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import lists, stated

ATORVASTATIN = "39733011000001106"
METFORMIN = "42084911000001109"


def _found(feeds: list[FeedList]) -> list[tuple[str, str, str]]:
    """(code, medicine, detail) found on 25 Nov 2026."""
    return [(d.code.value, d.medicine, d.detail)
            for d in reconcile(feeds, medicines_dictionary(), "1980-01-01", date(2026, 11, 25), allergies=(),
                       settings=ReconciliationSettings(3)).discrepancies]


def _not_a_discharge(feeds: list[FeedList]) -> list[FeedList]:
    """The same lists, the acute one not marked as a discharge (an inpatient list, a flattened summary)."""
    return [replace(f, is_discharge=False) for f in feeds]


def test_an_acute_list_naming_medicines_is_compared_for_omissions_even_when_not_a_discharge() -> None:
    feeds = lists(stated("gp", "Atorvastatin 20mg tablets", ATORVASTATIN), stated("gp", "Metformin 500mg tablets", METFORMIN),
                  stated("acute", "Metformin 500mg tablets", METFORMIN), feeds=("gp", "acute"))
    assert _found(_not_a_discharge(feeds)) == [
        ("omission", "Atorvastatin", "The GP practice lists Atorvastatin as active; the acute hospital's list of 10 Mar 2026 does not, "
                                     "and records no stop."),
    ]


def test_an_acute_list_naming_no_medicine_expects_nothing_unless_it_is_a_discharge() -> None:
    feeds = lists(stated("gp", "Atorvastatin 20mg tablets", ATORVASTATIN), feeds=("gp", "acute"))
    assert _found(_not_a_discharge(feeds)) == []
    assert [code for code, _, _ in _found(feeds)] == ["omission"]
