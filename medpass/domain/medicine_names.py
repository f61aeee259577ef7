"""Reading a medicine's written name: which medicine it names, its strength and its form (DOMAIN.md §3).

An uncoded name is mapped onto a medicine only by whole words of a known name (a dictionary product, a generic or a
brand name from reference/medicine_names.csv), or by a conservative spelling tolerance onto exactly one dictionary
medicine when no look-alike/sound-alike name is involved. Anything else stays unrecognised: under-merge is safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: The spelling tolerance: words shorter than this are never read with tolerance (a short name is too easy to hit).
MIN_TOLERANT_LENGTH = 7
#: Edits allowed (insert, delete, substitute, swap two neighbours): one, or two from this length on.
TWO_EDITS_FROM = 10

_WORD = re.compile(r"[a-z][a-z-]*[a-z]|[a-z]")
_STRENGTH = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)(mg|microgram|g|units?)(?:/(\d+(?:\.\d+)?)?(ml|mg|microgram|g)\b)?"
)
_INJECTION = {"injection", "injections", "depot", "ampoule", "vial", "syringe", "syringes", "infusion", "intramuscular"}
_LIQUID = {"liquid", "solution", "suspension", "syrup", "elixir", "linctus", "drops"}
_SOLID = {"tablet", "capsule", "caplet", "caplets", "spansule", "spansules"}
_MODIFIED = re.compile(r"\b(modified-release|prolonged-release|m/r|mr|sr|xl)\b")

#: Salts that are one medicine for matching, though not mg for mg: lithium carbonate and lithium citrate (DOMAIN.md
#: §3; SPS "Lithium: dose conversion"; Priadel liquid SmPC). A switch between them is still a discrepancy.
ONE_MEDICINE_SALTS = {"lithium carbonate": "lithium", "lithium citrate": "lithium"}


def moieties(ingredients: Iterable[str]) -> tuple[str, ...]:
    """The medicines a set of ingredients is for matching: each salt of one medicine counts as that medicine."""
    return tuple(sorted({ONE_MEDICINE_SALTS.get(i, i) for i in ingredients}))


@dataclass(frozen=True)
class Concept:
    """A medicine a name can stand for: its ingredients, classes, brand, and which products the name covers.

    `form` is "solid", "liquid" or "injection" when a brand names only those products, else "". `curated` marks
    medicines in the dm+d dictionary itself: only they may be reached with a spelling tolerance.
    """

    ingredients: tuple[str, ...]
    drug_classes: tuple[str, ...] = ()
    brand: str = ""
    form: str = ""
    curated: bool = False


@dataclass(frozen=True)
class KnownName:
    """A generic or brand name (lower case, as its words) and the medicine it names."""

    name: str
    concept: Concept


@dataclass(frozen=True)
class Reading:
    """What a written name says: the medicine, its strength and form, and whether a tolerance was needed."""

    concept: Concept
    strength: str
    form: str
    dosage_form: str
    modified_release: bool
    by_tolerance: bool


def words_of(text: str) -> list[str]:
    """The words of a normalised name (numbers and units dropped)."""
    return _WORD.findall(text)


def strength_of(text: str) -> str:
    """The first strength in a normalised name, written as medicines.csv writes strengths ('200mg/ml', '30mg;500mg')."""
    match = _STRENGTH.search(text)
    if not match:
        return ""
    value, unit, per, per_unit = match.groups()
    unit = "unit" if unit.startswith("unit") else unit
    if per_unit is None:
        return f"{value}{unit}"
    if per_unit == "ml":
        return f"{value}{unit}/{'' if per in (None, '1') else per}ml"
    return f"{value}{unit};{per or ''}{per_unit}"


def canonical_strength(strength: str) -> str:
    """A product strength compared as the name reader writes it ('200mg/1ml' and '200mg/ml' are one)."""
    return strength.replace("/1ml", "/ml")


def form_of(text: str) -> str:
    """The kind of product a normalised name describes: injection, liquid, solid, fluid (a per-ml strength), or ''."""
    words = set(words_of(text))
    if words & _INJECTION:
        return "injection"
    if words & _LIQUID:
        return "liquid"
    if words & _SOLID:
        return "solid"
    return "fluid" if "ml" in strength_of(text) else ""


def product_form_kind(form: str) -> str:
    """The kind of a dictionary product form ('modified-release tablet' is solid)."""
    if "injection" in form:
        return "injection"
    if any(word in form for word in _LIQUID):
        return "liquid"
    return "solid" if form else ""


def forms_compatible(named: str, written: str) -> bool:
    """Whether a name's products can be the form a text describes (an unknown form is compatible with any)."""
    if not named or not written:
        return True
    if written == "fluid":
        return named in ("liquid", "injection")
    return named == written


def is_modified_release(text: str) -> bool:
    """True when a normalised name says modified- or prolonged-release."""
    return bool(_MODIFIED.search(text))


def dosage_form_of(text: str) -> str:
    """A product form in medicines.csv's words, read from a normalised name ('' when it does not say)."""
    kind = form_of(text)
    words = set(words_of(text))
    if kind == "injection":
        return "injection"
    if kind == "liquid":
        return "oral liquid"
    if kind != "solid":
        return ""
    unit = "capsule" if "capsule" in words else "tablet"
    if is_modified_release(text):
        return f"modified-release {unit}"
    return f"gastro-resistant {unit}" if "gastro-resistant" in words else unit


def edits(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours), or limit + 1 when over it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    """How many edits a word of this length may carry and still be read as a known name."""
    return 2 if len(word) >= TWO_EDITS_FROM else 1


def _spans(words: list[str], phrases: dict[tuple[str, ...], tuple[Concept, ...]], longest: int) -> list[tuple[Concept, ...]]:
    """The known names found whole in the words, longest first, never overlapping."""
    taken = [False] * len(words)
    found = []
    for size in range(min(longest, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = tuple(words[start : start + size])
            if phrase in phrases and not any(taken[start : start + size]):
                found.append(phrases[phrase])
                taken[start : start + size] = [True] * size
    return found


def _agreed(ingredient_sets: set[tuple[str, ...]]) -> tuple[str, ...] | None:
    """One ingredient set, or the one medicine several salts share (the salt is then left open), else None."""
    if len(ingredient_sets) == 1:
        return next(iter(ingredient_sets))
    if len({moieties(s) for s in ingredient_sets}) != 1:
        return None
    specific = {s for s in ingredient_sets if s != moieties(s)}
    return next(iter(specific)) if len(specific) == 1 else moieties(next(iter(ingredient_sets)))


def _one_concept(candidates: list[tuple[Concept, ...]], written_form: str) -> Concept | None:
    """The one medicine every name found agrees on (the brand a name gives is kept), else None."""
    chosen: set[tuple[str, ...]] = set()
    brands: set[str] = set()
    kept: list[Concept] = []
    for concepts in candidates:
        fitting = [c for c in concepts if forms_compatible(c.form, written_form)]
        agreed = _agreed({c.ingredients for c in fitting})
        if agreed is None:
            return None
        chosen.add(agreed)
        brands.update(c.brand.lower() for c in fitting if c.brand)
        kept.extend(fitting)
    ingredients = _agreed(chosen)
    if ingredients is None or len(brands) > 1:
        return None
    brand = next((c.brand for c in kept if c.brand), "")
    classes = tuple(sorted({cls for c in kept for cls in c.drug_classes}))
    return Concept(ingredients, classes, brand, "", any(c.curated for c in kept))


@dataclass(frozen=True)
class NameIndex:
    """Every known name by its words, and the names no tolerance may reach (look-alike/sound-alike pairs)."""

    phrases: dict[tuple[str, ...], tuple[Concept, ...]] = field(default_factory=dict)
    look_alikes: frozenset[str] = frozenset()

    @property
    def longest(self) -> int:
        """The most words in a known name."""
        return max((len(p) for p in self.phrases), default=0)

    def read(self, normalised: str) -> Reading | None:
        """The medicine a normalised name names, by whole known names, else by a spelling tolerance, else None."""
        words = words_of(normalised)
        written_form = form_of(normalised)
        spans = _spans(words, self.phrases, self.longest)
        concept = _one_concept(spans, written_form) if spans else self._tolerant(words, written_form)
        if concept is None:
            return None
        return Reading(concept, strength_of(normalised), written_form, dosage_form_of(normalised),
                       is_modified_release(normalised), by_tolerance=not spans)

    def resembles(self, normalised: str) -> frozenset[str]:
        """The medicines (as moieties) whose known names the words are near but not equal to: candidates the
        tolerance would not map (a look-alike, several candidates), kept so that the uncertainty can be surfaced."""
        words = words_of(normalised)
        found: set[str] = set()
        for phrase, concepts in self.phrases.items():
            if self._near(words, phrase):
                found.update(m for c in concepts for m in moieties(c.ingredients))
        return frozenset(found)

    def _tolerant(self, words: list[str], written_form: str) -> Concept | None:
        """One dictionary medicine within a few edits of the name's words, and no look-alike name near them."""
        hits: list[tuple[Concept, ...]] = []
        for phrase, concepts in self.phrases.items():
            curated = tuple(c for c in concepts if c.curated)
            if curated and self._near(words, phrase):
                hits.append(curated)
        if not hits or self._near_look_alike(words, hits):
            return None
        return _one_concept(hits, written_form)

    def _near(self, words: list[str], phrase: tuple[str, ...]) -> bool:
        """Whether some run of the words is the phrase within the tolerance (long words only; first letters equal)."""
        size = len(phrase)
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if all(_close(w, p) for w, p in zip(window, phrase, strict=True)) and window != list(phrase):
                return True
        return False

    def _near_look_alike(self, words: list[str], hits: list[tuple[Concept, ...]]) -> bool:
        """True when a word is, or is near, a look-alike/sound-alike name, or the medicine found has one."""
        hit_words = {w for concepts in hits for c in concepts for i in c.ingredients for w in i.split()}
        if hit_words & self.look_alikes:
            return True
        return any(word == name or _close(word, name) for word in words for name in self.look_alikes)


def _close(word: str, known: str) -> bool:
    """The same word, or a long word with the same first letter within the allowed edits of a known word."""
    if word == known:
        return True
    if len(word) < MIN_TOLERANT_LENGTH or len(known) < MIN_TOLERANT_LENGTH or word[0] != known[0]:
        return False
    limit = allowed_edits(known)
    return edits(word, known, limit) <= limit


def build_index(names: Iterable[KnownName], look_alikes: Iterable[tuple[str, str]]) -> NameIndex:
    """Index known names by their words; collect every name that is half of a look-alike/sound-alike pair."""
    phrases: dict[tuple[str, ...], list[Concept]] = {}
    for known in names:
        key = tuple(words_of(known.name))
        if key and known.concept not in phrases.setdefault(key, []):
            phrases[key].append(known.concept)
    alike = frozenset(name for pair in look_alikes for name in pair)
    return NameIndex({k: tuple(v) for k, v in phrases.items()}, alike)
