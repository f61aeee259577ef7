"""The curated medicines dictionary as a value: products by dm+d ID (current or previous) and by name.

The rows live in medpass/reference/medicines.csv, each with the public file its ID was read from. The dictionary
also carries the curated lists the rules read (names, look-alike pairs, high-alert, QT, allergy classes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from medpass.domain.curated_lists import AllergyClassEntry, HighAlertList, QtEntry
from medpass.domain.medicine_names import (
    Concept,
    KnownName,
    NameIndex,
    Reading,
    build_index,
    canonical_strength,
    forms_compatible,
    moieties,
    product_form_kind,
    words_of,
)

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
    """One dm+d concept: a VTM (substance), VMP (generic product) or AMP (branded product).

    A name medpass recognised without a dictionary product is an "uncoded" Product of its own (dmd_id 'name:...').
    """

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

    @property
    def moieties(self) -> tuple[str, ...]:
        """The medicines it is for matching (lithium carbonate and citrate are both lithium)."""
        return moieties(self.ingredients)


@dataclass(frozen=True)
class MedicineDictionary:
    """Every product medpass knows, found by any of its dm+d IDs or by its name, and the curated lists."""

    products: tuple[Product, ...]
    by_id: dict[str, Product] = field(default_factory=dict, compare=False)
    by_name: dict[str, Product] = field(default_factory=dict, compare=False)
    names: NameIndex = field(default_factory=NameIndex, compare=False)
    high_alert: HighAlertList = field(default_factory=HighAlertList)
    qt_prolonging: tuple[QtEntry, ...] = ()
    allergy_classes: tuple[AllergyClassEntry, ...] = ()

    @classmethod
    def of(
        cls,
        products: list[Product],
        known_names: tuple[KnownName, ...] = (),
        look_alikes: tuple[tuple[str, str], ...] = (),
        high_alert: HighAlertList | None = None,
        qt_prolonging: tuple[QtEntry, ...] = (),
        allergy_classes: tuple[AllergyClassEntry, ...] = (),
    ) -> MedicineDictionary:
        """Index products by every ID (old and new dm+d IDs name the same product), by name, and by known names."""
        by_id: dict[str, Product] = {}
        by_name: dict[str, Product] = {}
        for product in products:
            for identifier in (product.dmd_id, *product.previous_ids):
                by_id[identifier] = product
            by_name.setdefault(normalise_name(product.name), product)
        index = build_index((*_product_names(products), *known_names), look_alikes)
        return cls(tuple(products), by_id, by_name, index, high_alert or HighAlertList(), qt_prolonging, allergy_classes)

    def find(self, code: str | None, name: str | None) -> Product | None:
        """The product a code names, else the product whose name matches exactly once normalised."""
        if code and code in self.by_id:
            return self.by_id[code]
        if name:
            return self.by_name.get(normalise_name(name))
        return None

    def resolve(self, code: str | None, name: str | None) -> Product | None:
        """As `find`, then by the known names the text is written in (DOMAIN.md §3: onto one medicine, or none)."""
        found = self.find(code, name)
        if found is not None or not name:
            return found
        reading = self.names.read(normalise_name(name))
        return self._product_for(reading, name) if reading else None

    def resembles(self, name: str) -> frozenset[str]:
        """For a name that maps onto no medicine: the medicines its words are near (look-alikes included)."""
        return self.names.resembles(normalise_name(name))

    def is_high_alert(self, product: Product | None, name: str) -> bool:
        """Whether a medicine is on the high-alert list, by its product's classes and ingredients, else by its words."""
        if product is not None:
            return bool(set(product.drug_classes) & self.high_alert.classes
                        or set((*product.ingredients, *product.moieties)) & self.high_alert.ingredients)
        return bool(set(words_of(normalise_name(name))) & self.high_alert.ingredients)

    def _product_for(self, reading: Reading, name: str) -> Product | None:
        """The dictionary product a reading names (same ingredients, brand, strength, form), else one of its own.

        A name read with a spelling tolerance maps only onto a dictionary product of the strength it states.
        """
        concept = reading.concept
        same = [p for p in self.products
                if tuple(sorted(p.ingredients)) == concept.ingredients and p.brand.lower() == concept.brand.lower()]
        if reading.strength:
            fitting = [p for p in same if canonical_strength(p.strength) == reading.strength
                       and forms_compatible(product_form_kind(p.form), reading.form)
                       and (p.modified_release == reading.modified_release or reading.form != "solid")]
        else:
            fitting = [p for p in same if not p.strength]
        if len({(p.strength, p.form) for p in fitting}) == 1:
            return fitting[0]
        if reading.by_tolerance:
            return None
        return self._uncoded(concept, reading, name)

    def _uncoded(self, concept: Concept, reading: Reading, name: str) -> Product:
        """A recognised medicine the dictionary has no product for, with the classes its medicine has."""
        related = [p for p in self.products if p.moieties == moieties(concept.ingredients)]
        classes = sorted({*concept.drug_classes, *(c for p in related for c in p.drug_classes)})
        return Product(
            dmd_id=f"name:{normalise_name(name)}", concept_class="uncoded", name=name, ingredients=concept.ingredients,
            strength=reading.strength, form=reading.dosage_form, brand=concept.brand,
            brand_critical=any(p.brand_critical for p in related), drug_classes=tuple(classes),
        )


def _product_names(products: list[Product]) -> list[KnownName]:
    """Each product's medicine as a known name: VTM names, ingredient names and brands (only these allow a tolerance)."""
    found: list[KnownName] = []
    for product in products:
        ingredients = tuple(sorted(product.ingredients))
        concept = Concept(ingredients, product.drug_classes, curated=True)
        if product.concept_class == "VTM":
            found.append(KnownName(normalise_name(product.name), concept))
        if len(product.ingredients) == 1:
            found.append(KnownName(product.ingredients[0], concept))
        if product.brand:
            branded = Concept(ingredients, product.drug_classes, product.brand, product_form_kind(product.form), curated=True)
            found.append(KnownName(product.brand.lower(), branded))
    return found
