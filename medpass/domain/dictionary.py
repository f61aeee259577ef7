"""The curated medicines dictionary as a value: products by dm+d ID (current or previous) and by name.

The rows live in medpass/reference/medicines.csv, each with the public file its ID was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

_MICROGRAM = re.compile(r"(micrograms|mcg)\b")
_UNIT_SPACE = re.compile(r"(\d)\s+(mg|microgram|g|ml)\b")
_PLURALS = {"tablets": "tablet", "capsules": "capsule", "ampoules": "ampoule", "vials": "vial"}


def normalise_name(name: str) -> str:
    """A medicine name compared as people mean it: case, spacing, plurals and 'mcg' do not matter."""
    text = _MICROGRAM.sub("microgram", " ".join(name.lower().replace(",", " ").split()))
    text = _UNIT_SPACE.sub(r"\1\2", text)
    return " ".join(_PLURALS.get(word, word) for word in text.split())


@dataclass(frozen=True)
class Product:
    """One dm+d concept: a VTM (substance), VMP (generic product) or AMP (branded product)."""

    dmd_id: str
    concept_class: str
    name: str
    ingredients: tuple[str, ...]
    strength: str = ""
    form: str = ""
    brand: str = ""
    brand_critical: bool = False
    drug_classes: tuple[str, ...] = ()
    previous_ids: tuple[str, ...] = ()

    @property
    def strength_mg(self) -> Decimal | None:
        """The strength of a single-ingredient solid product in mg per unit (tablet, capsule), if plain."""
        if len(self.ingredients) != 1:
            return None
        match = re.fullmatch(r"(\d+(?:\.\d+)?)(mg|microgram)", self.strength)
        if not match:
            return None
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:
            return None
        return value if match.group(2) == "mg" else value / 1000

    @property
    def modified_release(self) -> bool:
        """True for modified- and prolonged-release forms."""
        return "modified-release" in self.form or "prolonged-release" in self.form


@dataclass(frozen=True)
class MedicineDictionary:
    """Every product medpass knows, found by any of its dm+d IDs or by its normalised name."""

    products: tuple[Product, ...]
    by_id: dict[str, Product] = field(default_factory=dict, compare=False)
    by_name: dict[str, Product] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, products: list[Product]) -> MedicineDictionary:
        """Index products by every ID (old and new dm+d IDs name the same product) and by name."""
        by_id: dict[str, Product] = {}
        by_name: dict[str, Product] = {}
        for product in products:
            for identifier in (product.dmd_id, *product.previous_ids):
                by_id[identifier] = product
            by_name.setdefault(normalise_name(product.name), product)
        return cls(tuple(products), by_id, by_name)

    def find(self, code: str | None, name: str | None) -> Product | None:
        """The product a code names, else the product whose name matches exactly once normalised."""
        if code and code in self.by_id:
            return self.by_id[code]
        if name:
            return self.by_name.get(normalise_name(name))
        return None
