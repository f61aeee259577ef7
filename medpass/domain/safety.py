"""The curated mental-health safety rules of DOMAIN.md §4, each with its source.

Interaction pairs and dose limits here are copied from the sources named, not from BNF interaction data
(whose decision-support use needs a licence: DOMAIN.md §3).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, _feeds, _key, _labels, _refs, _versions
from medpass.domain.dosing import daily_dose_mg
from medpass.domain.lines import Line

#: Lithium with NSAIDs, ACE inhibitors, ARBs or thiazides raises lithium levels (SPS "Lithium monitoring"; NICE CG185).
LITHIUM_INTERACTING_CLASSES = {
    "nsaid": "an NSAID",
    "ace-inhibitor": "an ACE inhibitor",
    "arb": "an angiotensin-II receptor blocker",
    "thiazide": "a thiazide diuretic",
}
LITHIUM_SOURCE = "SPS 'Lithium monitoring'; NICE CG185: NSAIDs, ACE inhibitors, ARBs and thiazides raise lithium levels"

#: Maximum daily dose in mg (adult, and from 65 years), MHRA Drug Safety Update December 2011 (QT prolongation).
QT_DOSE_LIMITS = {"citalopram": (Decimal(40), Decimal(20)), "escitalopram": (Decimal(20), Decimal(10))}
QT_SOURCE = "MHRA Drug Safety Update, December 2011: citalopram and escitalopram, QT prolongation"
OLDER_ADULT_AGE = 65


def age_on(birth_date: str | None, today: date) -> int | None:
    """Whole years of age on `today`, from a FHIR date (a year alone is not enough to tell)."""
    if not birth_date or len(birth_date) < 10:
        return None
    born = date.fromisoformat(birth_date[:10])
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def interactions(lines: list[Line]) -> list[Discrepancy]:
    """Lithium active together with a medicine that raises its level."""
    active = [line for line in lines if line.active()]
    found = []
    for lithium in (line for line in active if "lithium" in line.classes):
        for other in active:
            kinds = [LITHIUM_INTERACTING_CLASSES[c] for c in sorted(other.classes) if c in LITHIUM_INTERACTING_CLASSES]
            if other is lithium or not kinds:
                continue
            members = lithium.active() + other.active()
            detail = (
                f"Lithium is active with {other.name} ({kinds[0]}), which can raise the lithium level "
                f"({_labels(_feeds(members))}). Check the level and renal function."
            )
            found.append(
                Discrepancy(
                    DiscrepancyCode.INTERACTION,
                    Harm.HIGH,
                    lithium.name,
                    detail,
                    False,
                    _refs(members),
                    _feeds(members),
                    _key(DiscrepancyCode.INTERACTION, lithium, *other.key),
                    LITHIUM_SOURCE,
                )
            )
    return found


def dose_limits(lines: list[Line], birth_date: str | None, today: date) -> list[Discrepancy]:
    """Citalopram or escitalopram above the maximum daily dose for the patient's age."""
    age = age_on(birth_date, today)
    found = []
    for line in lines:
        for ingredient, (adult, older) in QT_DOSE_LIMITS.items():
            if line.ingredients != frozenset({ingredient}):
                continue
            limit = older if age is not None and age >= OLDER_ADULT_AGE else adult
            over = [
                m
                for m in _versions(line)
                if (dose := daily_dose_mg(m.statement.entry.dosages, m.product.strength_mg if m.product else None)) is not None
                and dose > limit
            ]
            if over:
                who = f"aged {age}" if age is not None else "age not known"
                detail = f"{line.name} above {limit} mg a day, the maximum for a patient {who} ({_labels(_feeds(over))})."
                found.append(
                    Discrepancy(
                        DiscrepancyCode.DOSE_LIMIT,
                        Harm.HIGH,
                        line.name,
                        detail,
                        False,
                        _refs(over),
                        _feeds(over),
                        _key(DiscrepancyCode.DOSE_LIMIT, line),
                        QT_SOURCE,
                    )
                )
    return found
