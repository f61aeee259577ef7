"""The curated mental-health safety rules of DOMAIN.md §4, each with its source.

Interaction pairs and dose limits here are copied from the sources named, not from BNF interaction data
(whose decision-support use needs a licence: DOMAIN.md §3).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpass.domain.dates import long_date
from medpass.domain.discrepancies import (
    Discrepancy,
    DiscrepancyCode,
    Harm,
    feed_labels,
    feeds_of,
    line_discrepancy,
    listed_by,
    versions_of,
)
from medpass.domain.dosing import daily_dose_mg
from medpass.domain.lab_results import LITHIUM_LEVEL, VALPROATE_ACKNOWLEDGEMENT, LabResult
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
                f"{listed_by(lithium)} is active with {listed_by(other)}, {kinds[0]}, which can raise the lithium level. "
                "Check the level and renal function."
            )
            found.append(line_discrepancy(DiscrepancyCode.INTERACTION, Harm.HIGH, lithium, members, detail, LITHIUM_SOURCE, *other.key))
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
                for m in versions_of(line)
                if (dose := daily_dose_mg(m.statement.entry.dosages, m.product.strength_mg if m.product else None)) is not None
                and dose > limit
            ]
            if over:
                who = f"aged {age}" if age is not None else "age not known"
                detail = f"{line.name} above {limit} mg a day, the maximum for a patient {who} ({feed_labels(feeds_of(over))})."
                found.append(line_discrepancy(DiscrepancyCode.DOSE_LIMIT, Harm.HIGH, line, over, detail, QT_SOURCE))
    return found


#: Lithium levels (SPS "Lithium monitoring"; NICE CG185): every 3 months in the first year, then every 3 to 6
#: months; 3-monthly for people over 65, on interacting drugs, or with renal or thyroid risk. medpass uses
#: 3 months whenever any of those applies that the feeds can show, else 6.
LITHIUM_MONITORING_SOURCE = "SPS 'Lithium monitoring'; NICE CG185: levels 3-monthly in year one, then 3-6-monthly"


def _months_before(today: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's end)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def lithium_level_months(lithium: Line, lines: list[Line], birth_date: str | None, today: date) -> int:
    """Months between lithium levels: 3 in the first year, from 65, or with an interacting medicine active; else 6."""
    active = [line for line in lines if line.active()]
    starts = [m.statement.entry.effective_start[:10] for m in lithium.members if m.statement.entry.effective_start]
    first_year = bool(starts) and min(starts) > _months_before(today, 12).isoformat()
    age = age_on(birth_date, today)
    interacting = any(set(other.classes) & set(LITHIUM_INTERACTING_CLASSES) for other in active)
    return 3 if first_year or interacting or (age is not None and age >= OLDER_ADULT_AGE) else 6


def lithium_level_due(lines: list[Line], tests: tuple[LabResult, ...], birth_date: str | None, today: date) -> date | None:
    """When the next lithium level is due (the newest level plus its interval); None without lithium or a level."""
    lithium = next((line for line in lines if "lithium" in line.classes), None)
    levels = sorted(t.taken_on for t in tests if t.kind == LITHIUM_LEVEL)
    if lithium is None or not levels:
        return None
    months = lithium_level_months(lithium, lines, birth_date, today)
    taken = date.fromisoformat(levels[-1][:10])
    return _months_before(taken, -months)


def monitoring_due(lines: list[Line], tests: tuple[LabResult, ...], birth_date: str | None, today: date) -> list[Discrepancy]:
    """Lithium active and no level within its interval (or none in any feed)."""
    found = []
    active = [line for line in lines if line.active()]
    for lithium in (line for line in active if "lithium" in line.classes):
        months = lithium_level_months(lithium, lines, birth_date, today)
        levels = sorted(t.taken_on for t in tests if t.kind == LITHIUM_LEVEL)
        members = lithium.active()
        if not levels:
            detail = (
                f"Lithium is active but no lithium level is in any feed; levels are due every {months} months. "
                "Check when the last level was taken."
            )
            harm = Harm.MODERATE
        elif levels[-1] < _months_before(today, months).isoformat():
            detail = f"The last lithium level in the feeds was taken on {long_date(levels[-1])}; levels are due every {months} months."
            harm = Harm.HIGH
        else:
            continue
        found.append(line_discrepancy(DiscrepancyCode.MONITORING_DUE, harm, lithium, members, detail, LITHIUM_MONITORING_SOURCE))
    return found


#: Women and girls who could become pregnant need a valproate Annual Risk Acknowledgement every year (MHRA Drug
#: Safety Update, 31 January 2024; GOV.UK "Valproate: reproductive risks": female patients under 55). medpass
#: reads "could become pregnant" as female and 12 to 54 years old; an unknown age counts, so nothing is missed.
VALPROATE_SOURCE = "MHRA Drug Safety Update 31 Jan 2024; GOV.UK 'Valproate: reproductive risks' (annual risk acknowledgement)"
VALPROATE_AGES = range(12, 55)


def valproate_acknowledgement(
    lines: list[Line], records: tuple[LabResult, ...], birth_date: str | None, gender: str | None, today: date
) -> list[Discrepancy]:
    """Valproate active for a woman or girl with no risk acknowledgement in the feeds within a year."""
    if gender != "female":
        return []
    age = age_on(birth_date, today)
    if age is not None and age not in VALPROATE_AGES:
        return []
    found = []
    for valproate in (line for line in lines if line.active() and "valproate" in line.classes):
        acknowledged = sorted(r.taken_on for r in records if r.kind == VALPROATE_ACKNOWLEDGEMENT)
        members = valproate.active()
        if not acknowledged:
            detail = "Valproate is active and no annual risk acknowledgement is in any feed. Check that this year's form is done."
            harm = Harm.MODERATE
        elif acknowledged[-1] < _months_before(today, 12).isoformat():
            detail = (f"Valproate is active; the last annual risk acknowledgement in the feeds was on {long_date(acknowledged[-1])}, "
                      "over a year ago.")
            harm = Harm.HIGH
        else:
            continue
        found.append(line_discrepancy(DiscrepancyCode.MONITORING_DUE, harm, valproate, members, detail, VALPROATE_SOURCE))
    return found
