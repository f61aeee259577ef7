"""Load medicines.csv into the domain's MedicineDictionary (once per process)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from medpass.domain.dictionary import MedicineDictionary, Product

DICTIONARY_CSV = Path(__file__).resolve().parent / "medicines.csv"


def _split(value: str, separator: str = ";") -> tuple[str, ...]:
    """A multi-valued cell as a tuple."""
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def read_dictionary(path: Path) -> MedicineDictionary:
    """Read a dictionary file (comment lines start with #)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        products = [
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
            for row in rows
        ]
    return MedicineDictionary.of(products)


@cache
def medicines_dictionary() -> MedicineDictionary:
    """The dictionary medpass ships."""
    return read_dictionary(DICTIONARY_CSV)
