"""A medicine active in any feed that a recorded allergy rules out, by ingredient or by class (DOMAIN.md §3 'Allergies')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from medpass.domain.allergies import FeedAllergy
from medpass.domain.dictionary import MedicineDictionary, normalise_name
from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, feed_labels, issue_key, listed_by, references_of
from medpass.domain.feeds import Feed
from medpass.domain.lines import Line
from medpass.domain.medicine_names import words_of
from medpass.domain.medicines import Medicine

ALLERGY_SOURCE = (
    "NHSBSA BNF Code Information (OGL): BNF 5.1.1 penicillins, 5.1.2 cephalosporins and other beta-lactams, "
    "5.1.8 sulfonamides, 10.1.1 NSAIDs (reference/allergy_classes.csv)"
)
#: After an immediate reaction to a penicillin, cephalosporins and other beta-lactams need caution (NICE CG183 Drug
#: allergy, 2014 [check the exact wording]).
CROSS_REACTING = {"penicillin": ("cephalosporin", "other-beta-lactam")}
CROSS_SOURCE = "NICE CG183 Drug allergy: after immediate penicillin hypersensitivity, caution with cephalosporins and other beta-lactams"
#: Immediate, rapidly evolving reactions (NICE CG183, box 1): anaphylaxis, urticaria, angioedema, bronchospasm.
_IMMEDIATE = re.compile(r"anaphyla|urticari|hives|angio-?o?edema|bronchospasm", re.IGNORECASE)
_CLASS_WORDS = {"penicillin": "a penicillin", "cephalosporin": "a cephalosporin", "other-beta-lactam": "a beta-lactam antibiotic",
                "nsaid": "an NSAID", "sulfonamide": "a sulfonamide"}


@dataclass(frozen=True)
class _Profile:
    """What a medicine or an allergy is, for this rule: its ingredients and allergy classes."""

    ingredients: frozenset[str]
    classes: frozenset[str]


def _profile(medicine: Medicine, dictionary: MedicineDictionary) -> _Profile:
    """Ingredients and allergy classes of a named substance: its product, the classes of its drug classes, its words."""
    coding = medicine.dmd_coding
    product = dictionary.resolve(coding.code if coding else None, medicine.name)
    ingredients = set(product.ingredients) if product else set()
    text = f" {' '.join(words_of(normalise_name(medicine.name)))} "
    classes: set[str] = set()
    for entry in dictionary.allergy_classes:
        by_class = entry.kind == "drug-class" and product is not None and entry.term in product.drug_classes
        by_word = entry.kind in ("ingredient", "term") and f" {entry.term} " in text
        by_ingredient = entry.kind == "ingredient" and entry.term in ingredients
        if by_class or by_word or by_ingredient:
            classes.update(entry.classes)
            if entry.kind == "ingredient":
                ingredients.add(entry.term)
    return _Profile(frozenset(ingredients), frozenset(classes))


def _line_profile(line: Line, dictionary: MedicineDictionary) -> _Profile:
    """The profile of every active statement of a line together."""
    profiles = [_profile(m.statement.entry.medicine, dictionary) for m in line.active()]
    return _Profile(frozenset().union(*(p.ingredients for p in profiles)), frozenset().union(*(p.classes for p in profiles)))


def _is_immediate(recorded: list[FeedAllergy]) -> bool:
    """An immediate reaction (anaphylaxis, urticaria, angioedema, bronchospasm), or a high criticality, was recorded."""
    return any(r.allergy.criticality == "high" or any(_IMMEDIATE.search(text) for text in r.allergy.reactions) for r in recorded)


def _why(allergy: _Profile, medicine: _Profile, immediate: bool) -> tuple[str, str] | None:
    """Why the allergy rules the medicine out, and the source; None when it does not."""
    shared = sorted(allergy.ingredients & medicine.ingredients)
    if shared:
        return f"it contains {', '.join(shared)}", ALLERGY_SOURCE
    classes = sorted(allergy.classes & medicine.classes)
    if classes:
        return f"it is {_CLASS_WORDS.get(classes[0], classes[0])}", ALLERGY_SOURCE
    if immediate:
        for allergic, related in CROSS_REACTING.items():
            crossing = sorted(medicine.classes & set(related))
            if allergic in allergy.classes and crossing:
                what = _CLASS_WORDS.get(crossing[0], crossing[0])
                return f"it is {what}, which needs caution after an immediate reaction to a penicillin (NICE CG183)", CROSS_SOURCE
    return None


def _recorded_by(recorded: list[FeedAllergy]) -> str:
    """'the GP practice (recorded 2019-04-02) and the acute hospital'."""
    parts = []
    for feed in dict.fromkeys(r.feed for r in recorded):
        dates = sorted(r.allergy.recorded_date[:10] for r in recorded if r.feed is feed and r.allergy.recorded_date)
        parts.append(f"{feed_labels([feed])} (recorded {dates[0]})" if dates else feed_labels([feed]))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _described(recorded: list[FeedAllergy]) -> str:
    """'Penicillin (anaphylaxis)'."""
    reactions = sorted({text.lower() for r in recorded for text in r.allergy.reactions})
    name = recorded[0].allergy.substance.name
    return f"{name} ({', '.join(reactions)})" if reactions else name


def allergy_conflicts(lines: list[Line], allergies: tuple[FeedAllergy, ...], dictionary: MedicineDictionary) -> list[Discrepancy]:
    """An active medicine whose ingredient or class matches a recorded allergy; refuted, inactive and 'no known' ignored."""
    by_substance: dict[str, list[FeedAllergy]] = {}
    for one in allergies:
        if one.allergy.is_current:
            by_substance.setdefault(normalise_name(one.allergy.substance.name), []).append(one)
    found = []
    for substance, recorded in sorted(by_substance.items()):
        allergy = _profile(recorded[0].allergy.substance, dictionary)
        immediate = _is_immediate(recorded)
        for line in (line for line in lines if line.active()):
            why = _why(allergy, _line_profile(line, dictionary), immediate)
            if why is None:
                continue
            detail = (f"Allergy to {_described(recorded)} recorded by {_recorded_by(recorded)}; {listed_by(line)} is active and "
                      f"{why[0]}. Do not give it until a prescriber has checked the allergy.")
            found.append(Discrepancy(
                DiscrepancyCode.ALLERGY_CONFLICT, Harm.HIGH, line.name, detail, False,
                (*references_of(line.active()), *(r.reference for r in recorded)),
                tuple(f for f in Feed if f in {*(m.statement.feed for m in line.active()), *(r.feed for r in recorded)}),
                issue_key(DiscrepancyCode.ALLERGY_CONFLICT, line, substance), why[1],
            ))
    return found
