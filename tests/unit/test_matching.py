"""Matching levels (DOMAIN.md §3): each level found, and different medicines never merged."""

from __future__ import annotations

import pytest

from medpass.domain.lines import MatchLevel, build_lines, identify, match_level
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import lists, stated

SERTRALINE_50 = "39704111000001102"
SERTRALINE_50_OLD = "321959007"
SERTRALINE_100 = "39704011000001103"
LUSTRAL_50 = "936411000001108"
PRIADEL = "766311000001100"
LITHIUM_400_MR = "39110111000001103"
METFORMIN_500 = "42084911000001109"
METFORMIN_500_MR = "39113511000001101"
CO_CODAMOL = "42009811000001101"
PARACETAMOL = "42109611000001109"
OLANZAPINE = "42275511000001103"
RISPERIDONE = "42278911000001104"
ATORVASTATIN = "39733011000001106"


def level(first: tuple[str, str | None], second: tuple[str, str | None]) -> MatchLevel | None:
    """The match level of two GP statements given as (name, code)."""
    dictionary = medicines_dictionary()
    a = identify(stated("gp", first[0], first[1]), dictionary)
    b = identify(stated("gp", second[0], second[1]), dictionary)
    return match_level(a, b)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (("Sertraline 50mg tablets", SERTRALINE_50), ("Sertraline 50mg tablets", SERTRALINE_50_OLD), MatchLevel.SAME_PRODUCT),
        (("Priadel 400mg MR", PRIADEL), ("Lithium carbonate 400mg MR", LITHIUM_400_MR), MatchLevel.BRAND_AND_GENERIC),
        (("Lustral 50mg tablets", LUSTRAL_50), ("Sertraline 50mg tablets", SERTRALINE_50), MatchLevel.BRAND_AND_GENERIC),
        (("Metformin 500mg tablets", METFORMIN_500), ("Metformin 500mg MR", METFORMIN_500_MR), MatchLevel.OTHER_FORM),
        (("Sertraline 50mg tablets", SERTRALINE_50), ("Sertraline 100mg tablets", SERTRALINE_100), MatchLevel.OTHER_STRENGTH),
        (("Co-codamol 30/500", CO_CODAMOL), ("Paracetamol 500mg tablets", PARACETAMOL), MatchLevel.COMPOUND_COMPONENT),
        (("Olanzapine 10mg tablets", OLANZAPINE), ("Risperidone 2mg tablets", RISPERIDONE), MatchLevel.SAME_CLASS),
    ],
)
def test_finds_each_matching_level(first: tuple[str, str], second: tuple[str, str], expected: MatchLevel) -> None:
    assert level(first, second) is expected


def test_different_products_do_not_match() -> None:
    assert level(("Sertraline 50mg tablets", SERTRALINE_50), ("Atorvastatin 20mg tablets", ATORVASTATIN)) is None


def test_the_same_medicine_written_differently_is_the_same_product() -> None:
    assert level(("Sertraline 50mg tablets", None), ("sertraline 50 mg tablet", None)) is MatchLevel.SAME_PRODUCT
    assert level(("sertraline 50 mg tablet", None), ("Sertraline 50mg tablets", SERTRALINE_50)) is MatchLevel.SAME_PRODUCT


def test_unknown_medicines_match_only_on_the_exact_normalised_name() -> None:
    written = ("Hyoscine hydrobromide 300microgram tablets", None)
    assert level(written, ("hyoscine hydrobromide 300 micrograms tablet", None)) is MatchLevel.SAME_NAME
    assert level(("Hyoscine hydrobromide 300microgram tablets", None), ("Hyoscine hydrobromide 150microgram tablets", None)) is None
    assert level(("Hyoscine 300microgram", None), ("Hyoscine hydrobromide 300microgram tablets", None)) is None


def test_a_vmp_and_its_amp_are_one_line_but_a_compound_and_its_component_are_two() -> None:
    dictionary = medicines_dictionary()
    feeds = lists(stated("gp", "Priadel", PRIADEL), stated("acute", "Lithium", LITHIUM_400_MR),
                  stated("gp", "Co-codamol", CO_CODAMOL), stated("acute", "Paracetamol", PARACETAMOL))
    assert sorted(len(line.members) for line in build_lines(feeds, dictionary)) == [1, 1, 2]


def test_every_dictionary_row_cites_its_public_source_and_old_ids_resolve_to_the_current_product() -> None:
    dictionary = medicines_dictionary()
    assert all(product.dmd_id for product in dictionary.products)
    assert dictionary.find("321574000", None) is dictionary.find("42270011000001100", None)
    from medpass.reference.dictionary import DICTIONARY_CSV

    text = DICTIONARY_CSV.read_text()
    assert "Open Government Licence v3.0" in text
    rows = [line for line in text.splitlines()[3:] if line]
    assert rows and all(line.rsplit(",", 1)[1].count("@") >= 1 for line in rows)
