"""Medicines as Medication resources: the dm+d products of medpass's dictionary, and the statements that name them."""

from __future__ import annotations

from medpass.domain.dictionary import Product
from medpass.domain.errors import NotFound
from medpass.domain.lines import FeedStatement
from medpass.reference.dictionary import medicines_dictionary


def find_medication(dmd_id: str) -> Product:
    """The product a dm+d ID (current or previous) names, or NotFound."""
    product = medicines_dictionary().by_id.get(dmd_id)
    if product is None:
        raise NotFound(f"Medication/{dmd_id} is not in medpass's dictionary of dm+d products")
    return product


def medications_with_code(code: str) -> list[Product]:
    """Medication?code=[system|]code: the product with that dm+d ID, if medpass knows it."""
    product = medicines_dictionary().by_id.get(code)
    return [product] if product else []


def medications_of(statements: list[FeedStatement]) -> list[Product]:
    """The products the statements' dm+d codes name, each once, in the statements' order (for _include)."""
    dictionary = medicines_dictionary()
    found: dict[str, Product] = {}
    for statement in statements:
        coding = statement.entry.medicine.dmd_coding
        product = dictionary.by_id.get(coding.code) if coding and coding.code else None
        if product is not None:
            found.setdefault(product.dmd_id, product)
    return list(found.values())
