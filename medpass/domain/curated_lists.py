"""The curated medicine lists the safety rules read, each row with its source in medpass/reference (DOMAIN.md §3-4)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HighAlertList:
    """Medicines whose errors do serious harm: by drug class and by ingredient (reference/high_alert.csv)."""

    classes: frozenset[str] = frozenset()
    ingredients: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QtEntry:
    """A class or name of medicine that prolongs the QT interval (reference/qt_prolonging.csv)."""

    kind: str
    term: str
    group: str
    route: str = ""


@dataclass(frozen=True)
class AllergyClassEntry:
    """An ingredient, an allergy word or a drug class, and the allergy classes it belongs to (reference/allergy_classes.csv)."""

    kind: str
    term: str
    classes: tuple[str, ...]
