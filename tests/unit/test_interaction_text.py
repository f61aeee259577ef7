"""An interaction names which partner lists which medicine, and only partners that list each."""

from __future__ import annotations

from medpass.domain.discrepancies import DiscrepancyCode
from tests.reconciliation_builders import discrepancies_of, lists, stated

PRIADEL = "766311000001100"
NAPROXEN = "42107811000001100"


def test_a_lithium_interaction_names_only_the_partners_that_list_each_medicine() -> None:
    feeds = lists(stated("gp", "Priadel", PRIADEL), stated("mental-health", "Priadel", PRIADEL), stated("acute", "Priadel", PRIADEL),
                  stated("acute", "Naproxen", NAPROXEN, change=("added", "Gout")), stated("gp", "Naproxen", NAPROXEN))
    (issue,) = [i for i in discrepancies_of(feeds) if i.code is DiscrepancyCode.INTERACTION]
    assert issue.detail == (
        "Lithium carbonate (the GP practice, the mental-health trust and the acute hospital) is active with Naproxen (the GP "
        "practice and the acute hospital), an NSAID, which can raise the lithium level. Check the level and renal function."
    )


def test_a_partner_that_lists_only_the_lithium_is_not_said_to_list_the_nsaid() -> None:
    feeds = lists(stated("gp", "Priadel", PRIADEL), stated("mental-health", "Priadel", PRIADEL), stated("gp", "Naproxen", NAPROXEN),
                  discharge=False)
    (issue,) = discrepancies_of(feeds)
    assert "is active with Naproxen (the GP practice), an NSAID" in issue.detail
