"""Uncoded and brand names (DOMAIN.md §3): mapped onto one medicine by known names or a conservative spelling tolerance."""

from __future__ import annotations

from pathlib import Path

import pytest

from medpass.domain.dictionary import Product
from medpass.domain.lines import build_lines, identify
from medpass.reference.dictionary import DICTIONARY_CSV, REFERENCE, read_dictionary
from tests.reconciliation_builders import discrepancies_of, dosage, lists, stated

DICTIONARY = read_dictionary(DICTIONARY_CSV, REFERENCE)
PRIADEL_400 = "13947411000001104"
CLOZARIL_100 = "3832011000001100"
SERTRALINE_50 = "39704111000001102"


def resolved(name: str) -> Product | None:
    """What an uncoded name resolves to."""
    return DICTIONARY.resolve(None, name)


def test_a_misspelt_brand_maps_onto_its_one_dictionary_product() -> None:
    assert resolved("Priadell 400mg modified-release tablets") == DICTIONARY.by_id[PRIADEL_400]
    assert resolved("Closaril 100mg tablets") == DICTIONARY.by_id[CLOZARIL_100]


def test_a_misspelt_generic_maps_onto_the_product_of_the_strength_it_states() -> None:
    assert resolved("Sertralin 50mg tablets") == DICTIONARY.by_id[SERTRALINE_50]


@pytest.mark.parametrize(
    "name",
    [
        "Scitalopram 10mg tablets",  # one edit from citalopram and one from escitalopram: two candidates
        "Quetiapin 25mg tablets",  # quetiapine / olanzapine are a look-alike pair (ISMP)
        "Risperidon 2mg tablets",  # risperidone / ropinirole (MHRA Drug Safety Update)
        "Amlodipin 5mg tablets",  # amlodipine / nimodipine, atenolol, amiloride
        "Lutral 50mg tablets",  # one edit from Lustral, but too short a name for a tolerance
        "Sertralin 150mg tablets",  # near sertraline, but no sertraline 150mg in the dictionary
    ],
)
def test_the_spelling_tolerance_does_not_map(name: str) -> None:
    assert resolved(name) is None


def test_a_generic_name_of_a_strength_the_dictionary_lacks_is_still_that_medicine() -> None:
    product = resolved("Clozapine 200mg tablets")
    assert product is not None
    assert (product.concept_class, product.ingredients, product.strength, product.form, product.brand_critical) == (
        "uncoded", ("clozapine",), "200mg", "tablet", True)


def test_an_uncoded_clozapine_of_another_strength_joins_the_clozapine_line() -> None:
    feeds = lists(stated("mental-health", "Clozaril 100mg tablets", CLOZARIL_100, dosages=(dosage("300mg at night", "300", 1),)),
                  stated("acute", "Clozapine 200mg tablets", dosages=(dosage("300mg at night", "300", 1),)))
    (line,) = build_lines(feeds, DICTIONARY)
    assert (line.name, len(line.members)) == ("Clozapine", 2)


def test_brand_names_outside_the_dictionary_name_their_medicine_and_class() -> None:
    xeplion = resolved("Xeplion 100mg/1ml suspension for injection pre-filled syringes")
    largactil = resolved("Largactil 25mg tablets")
    assert xeplion is not None and largactil is not None
    assert (xeplion.ingredients, xeplion.drug_classes, xeplion.brand) == (("paliperidone",), ("antipsychotic",), "Xeplion")
    assert (largactil.ingredients, largactil.drug_classes) == (("chlorpromazine",), ("antipsychotic", "phenothiazine"))


def test_two_unrecognised_uncoded_names_match_only_on_the_exact_normalised_name() -> None:
    feeds = lists(stated("gp", "Hyoscine hydrobromide 300microgram tablets"), stated("acute", "Hyoscine hydrobromid 300microgram tablets"),
                  stated("mental-health", "hyoscine hydrobromide 300 micrograms tablet"))
    assert sorted(len(line.members) for line in build_lines(feeds, DICTIONARY)) == [1, 2]


def test_lithium_preparations_outside_the_dictionary_are_lithium() -> None:
    for name in ("Lithium citrate 520mg/5ml oral solution", "Li-Liquid 509mg/5ml oral solution", "Priadel 520mg/5ml liquid"):
        product = resolved(name)
        assert product is not None
        assert (product.ingredients, product.drug_classes, product.brand_critical, product.form) == (
            ("lithium citrate",), ("lithium",), True, "oral liquid"), name


def test_carbonate_and_citrate_are_one_lithium_line() -> None:
    carbonate = identify(stated("gp", "Priadel", PRIADEL_400), DICTIONARY)
    citrate = identify(stated("acute", "Lithium citrate 520mg/5ml oral solution"), DICTIONARY)
    assert carbonate.key == citrate.key == ("ingredients", "lithium")


def test_a_brand_of_two_salts_named_alone_leaves_the_salt_open() -> None:
    product = resolved("Priadel")
    assert product is not None and (product.ingredients, product.brand) == (("lithium",), "Priadel")


def test_an_uncoded_high_alert_medicine_is_marked_high_alert_and_an_unknown_one_is_not() -> None:
    assert identify(stated("gp", "Warfarin 3mg tablets"), DICTIONARY).high_alert
    assert identify(stated("gp", "Insulin glargine 100units/ml pre-filled pen"), DICTIONARY).high_alert
    assert not identify(stated("gp", "Gliclazide 40mg tablets"), DICTIONARY).high_alert


def test_every_reference_row_names_its_source(tmp_path: Path) -> None:
    (tmp_path / "medicines.csv").write_text(DICTIONARY_CSV.read_text())
    for name in ("high_alert.csv", "look_alike_names.csv", "qt_prolonging.csv", "allergy_classes.csv"):
        (tmp_path / name).write_text((REFERENCE / name).read_text())
    (tmp_path / "medicine_names.csv").write_text("name,ingredients,drug_class,brand,form,source\nzispin,mirtazapine,,Zispin,,\n")
    with pytest.raises(ValueError, match="without a source"):
        read_dictionary(tmp_path / "medicines.csv", tmp_path)


def _verhoeff_valid(number: str) -> bool:
    """The Verhoeff check SNOMED CT identifiers carry in their last digit."""
    multiply = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
                [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
                [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
                [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
    permute = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]
    for _ in range(7):
        permute.append([permute[-1][[1, 5, 7, 6, 2, 8, 3, 0, 9, 4][d]] for d in range(10)])
    check = 0
    for position, digit in enumerate(reversed(number)):
        check = multiply[check][permute[position % 8][int(digit)]]
    return check == 0


def test_every_dmd_id_in_the_dictionary_has_a_valid_check_digit() -> None:
    ids = [i for p in DICTIONARY.products for i in (p.dmd_id, *p.previous_ids)]
    assert ids and [i for i in ids if not _verhoeff_valid(i)] == []
    assert not _verhoeff_valid("42270011000001101")


def test_a_misspelt_look_alike_name_is_never_matched_but_is_surfaced_as_an_uncertain_match() -> None:
    quetiapine_mr = "14042811000001105"
    found = discrepancies_of(lists(stated("gp", "Quetiapin 25mg tablets"), stated("mental-health", "Seroquel XL", quetiapine_mr),
                                   feeds=("gp", "mental-health")))
    uncertain = [(d.code.value, d.harm.value, d.medicine, d.detail) for d in found if d.code.value == "uncertain-match"]
    assert uncertain == [("uncertain-match", "high", "Quetiapin 25mg tablets",
                          "Quetiapin 25mg tablets (the GP practice) may be Quetiapine (the mental-health trust): the names are alike, so "
                          "medpass did not match them. If they are the same medicine the patient may be taking it twice; if not, "
                          "confirm which medicine is meant.")]


def test_a_name_near_no_listed_medicine_or_already_matched_is_no_uncertain_match() -> None:
    quetiapine_mr = "14042811000001105"
    unrelated = discrepancies_of(lists(stated("gp", "Quetiapin 25mg tablets"), stated("mental-health", "Olanzapine 10mg tablets"),
                                       feeds=("gp", "mental-health")))
    matched = discrepancies_of(lists(stated("gp", "Quetiapine 50mg modified-release tablets"),
                                     stated("mental-health", "Seroquel XL", quetiapine_mr), feeds=("gp", "mental-health")))
    assert [d.code.value for d in (*unrelated, *matched) if d.code.value == "uncertain-match"] == []
