"""Matching: which feed statements are the same medicine (DOMAIN.md §3, after the Herskovic MedRec cascade).

Two statements are one line of the reconciled list when the dictionary resolves both to the same set of
ingredients: the same product (L0), brand and generic (L1), another form (L2) or another strength (L3). A
compound that contains the other's ingredient (L3b) and a shared class (L4) never merge: they are compared
across lines. A statement the dictionary does not know matches only an exact normalised name. Under-merge is
safe; wrong-merge is dangerous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from medpass.domain.dictionary import MedicineDictionary, Product, normalise_name
from medpass.domain.feeds import Feed
from medpass.domain.medications import ListKind, MedicationEntry

#: Statuses read as "being taken" (intended counts: it is about to be).
ACTIVE_STATUSES = frozenset({"active", "intended"})
#: Statuses that record a stop or a hold in that feed.
STOPPED_STATUSES = frozenset({"stopped", "on-hold"})
#: Statuses that say nothing about the medicine being taken (entered-in-error never happened).
IGNORED_STATUSES = frozenset({"entered-in-error"})


class MatchLevel(StrEnum):
    """How closely two statements match, in the cascade's order."""

    SAME_PRODUCT = "L0"
    BRAND_AND_GENERIC = "L1"
    OTHER_FORM = "L2"
    OTHER_STRENGTH = "L3"
    COMPOUND_COMPONENT = "L3b"
    SAME_CLASS = "L4"
    SAME_NAME = "name"


@dataclass(frozen=True)
class FeedStatement:
    """One medicine as one feed's current message states it, with a stable reference back to it."""

    reference: str
    feed: Feed
    entry: MedicationEntry
    message_time: datetime
    stored_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        """Being taken, as this feed says."""
        return self.entry.status in ACTIVE_STATUSES and self.entry.list_kind is not ListKind.DISCONTINUED

    @property
    def is_stopped(self) -> bool:
        """Stopped or held, as this feed says (a statement in a Discontinued List is stopped)."""
        return self.entry.status in STOPPED_STATUSES or self.entry.list_kind is ListKind.DISCONTINUED


@dataclass(frozen=True)
class FeedList:
    """A feed's current message about a patient: when, whether its list is known, and its statements."""

    feed: Feed
    message_time: datetime
    known: bool
    statements: tuple[FeedStatement, ...]
    #: The current message is a discharge summary, whatever its envelope (FeedMessage.is_discharge).
    is_discharge: bool = False


@dataclass(frozen=True)
class Identified:
    """A statement with the product the dictionary found for it (or none) and its matching key."""

    statement: FeedStatement
    product: Product | None
    key: tuple[str, ...]
    high_alert: bool = False
    resembles: frozenset[str] = frozenset()

    @property
    def ingredients(self) -> frozenset[str]:
        """The ingredients (empty when the dictionary does not know the medicine)."""
        return frozenset(self.product.ingredients) if self.product else frozenset()

    @property
    def classes(self) -> frozenset[str]:
        """The drug classes of the product."""
        return frozenset(self.product.drug_classes) if self.product else frozenset()


def identify(statement: FeedStatement, dictionary: MedicineDictionary) -> Identified:
    """Resolve a statement through the dictionary: by any dm+d ID, by exact normalised name, else by the known names
    it is written in (medicine_names.py); salts of one medicine (lithium) share a key. High-alert is marked here."""
    medicine = statement.entry.medicine
    coding = medicine.dmd_coding
    product = dictionary.resolve(coding.code if coding else None, medicine.name)
    high_alert = dictionary.is_high_alert(product, medicine.name)
    if product is not None:
        return Identified(statement, product, ("ingredients", *product.moieties), high_alert)
    return Identified(statement, None, ("name", normalise_name(medicine.name)), high_alert, dictionary.resembles(medicine.name))


def match_level(a: Identified, b: Identified) -> MatchLevel | None:
    """How two statements match, or None when they are different medicines."""
    if a.product is None or b.product is None:
        return MatchLevel.SAME_NAME if a.key == b.key else None
    pa, pb = a.product, b.product
    if pa.dmd_id == pb.dmd_id:
        return MatchLevel.SAME_PRODUCT
    if a.ingredients == b.ingredients:
        if pa.strength == pb.strength and pa.form == pb.form:
            return MatchLevel.BRAND_AND_GENERIC
        if pa.strength == pb.strength or not pa.strength or not pb.strength:
            return MatchLevel.OTHER_FORM if pa.form != pb.form and pa.form and pb.form else MatchLevel.BRAND_AND_GENERIC
        return MatchLevel.OTHER_STRENGTH
    if a.ingredients & b.ingredients:
        return MatchLevel.COMPOUND_COMPONENT
    if a.classes & b.classes:
        return MatchLevel.SAME_CLASS
    return None


@dataclass(frozen=True)
class Line:
    """One medicine across the feeds: every statement that matched at L0-L3 (or by exact name)."""

    key: tuple[str, ...]
    members: tuple[Identified, ...]

    @property
    def name(self) -> str:
        """The line's medicine as people say it: the substance, or the one name it was written as."""
        products = [m.product for m in self.members if m.product]
        if products:
            return " + ".join(i.capitalize() if n == 0 else i for n, i in enumerate(sorted(products[0].ingredients)))
        return self.members[0].statement.entry.medicine.name

    def in_feed(self, feed: Feed) -> list[Identified]:
        """The line's statements from one feed."""
        return [m for m in self.members if m.statement.feed is feed]

    def active(self) -> list[Identified]:
        """Statements that say the medicine is being taken."""
        return [m for m in self.members if m.statement.is_active]

    @property
    def ingredients(self) -> frozenset[str]:
        """The line's ingredients (empty for an unknown medicine)."""
        return self.members[0].ingredients

    @property
    def classes(self) -> frozenset[str]:
        """Every class any of its products belongs to."""
        return frozenset().union(*(m.classes for m in self.members))

    @property
    def brand_critical(self) -> bool:
        """True when any of its products must not change brand unnoticed."""
        return any(m.product is not None and m.product.brand_critical for m in self.members)

    @property
    def high_alert(self) -> bool:
        """True when any of its statements names a high-alert medicine (reference/high_alert.csv)."""
        return any(m.high_alert for m in self.members)


def build_lines(lists: list[FeedList], dictionary: MedicineDictionary) -> list[Line]:
    """Group every current statement of every feed into lines, in a stable order."""
    groups: dict[tuple[str, ...], list[Identified]] = {}
    for feed_list in lists:
        for statement in feed_list.statements:
            if statement.entry.status in IGNORED_STATUSES:
                continue
            identified = identify(statement, dictionary)
            groups.setdefault(identified.key, []).append(identified)
    return [Line(key, tuple(members)) for key, members in sorted(groups.items())]


def current_in(line: Line, feed: Feed) -> list[Identified]:
    """A feed's current version of the line: its active statements, else its stopped or held ones."""
    statements = line.in_feed(feed)
    active = [m for m in statements if m.statement.is_active]
    return active or [m for m in statements if m.statement.is_stopped]
