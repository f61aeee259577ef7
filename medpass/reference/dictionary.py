"""Load medicines.csv and the curated lists beside it into the domain's MedicineDictionary (once per process)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from medpass.domain.curated_lists import AllergyClassEntry, HighAlertList, QtEntry
from medpass.domain.dictionary import MedicineDictionary, Product
from medpass.domain.medicine_names import Concept, KnownName

REFERENCE = Path(__file__).resolve().parent
DICTIONARY_CSV = REFERENCE / "medicines.csv"
NAMES_CSV = REFERENCE / "medicine_names.csv"
LOOK_ALIKES_CSV = REFERENCE / "look_alike_names.csv"
HIGH_ALERT_CSV = REFERENCE / "high_alert.csv"
QT_CSV = REFERENCE / "qt_prolonging.csv"
ALLERGY_CLASSES_CSV = REFERENCE / "allergy_classes.csv"


def _split(value: str, separator: str = ";") -> tuple[str, ...]:
    """A multi-valued cell as a tuple."""
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def _rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a reference file (comment lines start with #); every row must name its source."""
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if not row.get("source", "").strip():
                raise ValueError(f"{path.name}: a row without a source: {row}")
            yield row


def _products(path: Path) -> list[Product]:
    """The dm+d products of medicines.csv."""
    return [
        Product(
            dmd_id=row["dmd_id"],
            concept_class=row["concept_class"],
            name=row["name"],
            ingredients=_split(row["ingredients"]),
            strength=row["strength"],
            form=row["form"],
            brand=row["brand"],
            brand_critical=row["brand_critical"] == "yes",
            drug_classes=_split(row["drug_class"]),
            previous_ids=_split(row["previous_ids"], " "),
        )
        for row in _rows(path)
    ]


def _known_names(path: Path, products: list[Product]) -> tuple[KnownName, ...]:
    """Generic and brand names; a name may take a spelling tolerance only when the dictionary has its medicine."""
    in_dictionary = {tuple(sorted(p.ingredients)) for p in products}
    names = []
    for row in _rows(path):
        ingredients = tuple(sorted(_split(row["ingredients"])))
        concept = Concept(ingredients, _split(row["drug_class"]), row["brand"], row["form"], ingredients in in_dictionary)
        names.append(KnownName(row["name"].lower(), concept))
    return tuple(names)


def read_dictionary(path: Path, lists: Path | None = None) -> MedicineDictionary:
    """Read a dictionary file and, from `lists` (a folder), the curated lists beside it."""
    products = _products(path)
    if lists is None:
        return MedicineDictionary.of(products)
    high_alert = list(_rows(lists / HIGH_ALERT_CSV.name))
    return MedicineDictionary.of(
        products,
        known_names=_known_names(lists / NAMES_CSV.name, products),
        look_alikes=tuple((row["first"], row["second"]) for row in _rows(lists / LOOK_ALIKES_CSV.name)),
        high_alert=HighAlertList(frozenset(r["term"] for r in high_alert if r["kind"] == "class"),
                                 frozenset(r["term"] for r in high_alert if r["kind"] == "ingredient")),
        qt_prolonging=tuple(QtEntry(r["kind"], r["term"], r["group"], r["route"]) for r in _rows(lists / QT_CSV.name)),
        allergy_classes=tuple(AllergyClassEntry(r["kind"], r["term"], _split(r["allergy_class"]))
                              for r in _rows(lists / ALLERGY_CLASSES_CSV.name)),
    )


@cache
def medicines_dictionary() -> MedicineDictionary:
    """The dictionary medpass ships, with its curated lists."""
    return read_dictionary(DICTIONARY_CSV, REFERENCE)
