"""How much a day: total daily dose and administrations a day, from structured dosage or plain dosage text.

DOMAIN.md §3: at another strength, compare the **total daily dose**, not the product strength. Only what can be
read with confidence is computed; anything else is None and is never compared as if it were known.
"""

from __future__ import annotations

import re
from decimal import Decimal

from medpass.domain.dosage_steps import is_stepped
from medpass.domain.medications import Dosage

#: UCUM / SNOMED units read as mg; SNOMED 428673006 is "tablet", 428641000 "capsule" (dm+d units of presentation).
_MG_UNITS = {"mg", "milligram", "milligrams"}
_MICROGRAM_UNITS = {"ug", "mcg", "microgram", "micrograms"}
_UNIT_OF_PRESENTATION = {"tablet", "tablets", "capsule", "capsules", "428673006", "428641000", "{tablet}", "{capsule}"}
_PERIOD_DAYS = {"h": Decimal(1) / 24, "d": Decimal(1), "wk": Decimal(7), "mo": Decimal(30), "a": Decimal(365)}
_WORDS: dict[str, Decimal] = {
    "a": Decimal(1),
    "one": Decimal(1),
    "two": Decimal(2),
    "three": Decimal(3),
    "four": Decimal(4),
    "five": Decimal(5),
    "six": Decimal(6),
    "half": Decimal("0.5"),
}
_TEXT_FREQUENCY = [
    (re.compile(r"\b(four times a day|four times daily|qds)\b"), 4),
    (re.compile(r"\b(three times a day|three times daily|tds)\b"), 3),
    (re.compile(r"\b(twice a day|twice daily|two times a day|bd)\b"), 2),
    (
        re.compile(
            r"\b(once a day|once daily|daily|each morning|every morning|in the morning|at night|every night|"
            r"at bedtime|each night|with breakfast)\b"
        ),
        1,
    ),
]
#: Weekly dosing written in words reads as once a week, before any daily words ('7.5mg once a week at night').
_TEXT_WEEKLY = re.compile(r"\b(once a week|once weekly|once every week|every week|each week|weekly)\b")
_TEXT_MG = re.compile(r"(\d+(?:\.\d+)?)\s?(mg|g)\b")
_TEXT_COUNT = re.compile(r"\b(\d+|a|one|two|three|four|five|six|half)\s+(tablet|tablets|capsule|capsules)\b")
_AS_NEEDED = re.compile(r"\b(when required|as required|as needed|prn|if needed)\b")


def _plain(value: Decimal) -> Decimal:
    """A Decimal without trailing zeros or exponent notation (50, not 5E+1), rounded to 4 places."""
    rounded = value.quantize(Decimal("0.0001"))
    return rounded.to_integral() if rounded == rounded.to_integral() else rounded.normalize()


def times_per_day(dosage: Dosage) -> Decimal | None:
    """Administrations a day: timing.repeat frequency/period, else the count of `when` events, else the text."""
    if dosage.frequency is not None and dosage.period and dosage.period_unit in _PERIOD_DAYS:
        return Decimal(dosage.frequency) / (dosage.period * _PERIOD_DAYS[dosage.period_unit])
    if dosage.when:
        return Decimal(len(dosage.when))
    if dosage.time_of_day:
        return Decimal(len(dosage.time_of_day))
    return _text_times(dosage.text)


def _text_times(text: str | None) -> Decimal | None:
    """Administrations a day from plain English dosage text, if it says so unambiguously."""
    if not text:
        return None
    lowered = text.lower()
    if _TEXT_WEEKLY.search(lowered):
        return Decimal(1) / 7
    for pattern, times in _TEXT_FREQUENCY:
        if pattern.search(lowered):
            return Decimal(times)
    return None


def dose_mg(dosage: Dosage, strength_mg: Decimal | None) -> Decimal | None:
    """One administration's dose in mg: a mg/microgram quantity, or a count of tablets times their strength."""
    unit = (dosage.dose_unit or "").lower()
    if dosage.dose_value is not None:
        if unit in _MG_UNITS:
            return dosage.dose_value
        if unit in _MICROGRAM_UNITS:
            return dosage.dose_value / 1000
        if unit == "g":
            return dosage.dose_value * 1000
        if unit in _UNIT_OF_PRESENTATION and strength_mg is not None:
            return dosage.dose_value * strength_mg
        return None
    return _text_dose(dosage.text, strength_mg)


def _text_dose(text: str | None, strength_mg: Decimal | None) -> Decimal | None:
    """One administration's dose from text: '100mg', '1g', or 'two tablets' with a known strength."""
    if not text:
        return None
    lowered = text.lower()
    amount = _TEXT_MG.search(lowered)
    if amount:
        value = Decimal(amount.group(1))
        return value * 1000 if amount.group(2) == "g" else value
    count = _TEXT_COUNT.search(lowered)
    if count and strength_mg is not None:
        word = count.group(1)
        number = Decimal(word) if word.isdigit() else _WORDS[word]
        return number * strength_mg
    return None


def is_as_needed(dosages: tuple[Dosage, ...]) -> bool:
    """True when the medicine is taken only when required (a daily dose is then a maximum, not a dose)."""
    return any(_line_as_needed(d) for d in dosages)


def _line_as_needed(dosage: Dosage) -> bool:
    """One line taken only when required: asNeeded, or its text says so."""
    return dosage.as_needed or bool(_AS_NEEDED.search((dosage.text or "").lower()))


def lines_daily_mg(dosages: tuple[Dosage, ...], strength_mg: Decimal | None) -> Decimal | None:
    """Total daily dose in mg of lines taken together (morning + night), or None if any line cannot be read."""
    if not dosages:
        return None
    total = Decimal(0)
    for dosage in dosages:
        times, dose = times_per_day(dosage), dose_mg(dosage, strength_mg)
        if times is None or dose is None:
            return None
        total += times * dose
    return _plain(total)


def lines_daily_times(dosages: tuple[Dosage, ...]) -> Decimal | None:
    """Administrations a day of lines taken together, or None if any cannot be read."""
    if not dosages:
        return None
    total = Decimal(0)
    for dosage in dosages:
        times = times_per_day(dosage)
        if times is None:
            return None
        total += times
    return _plain(total)


def daily_dose_mg(dosages: tuple[Dosage, ...], strength_mg: Decimal | None) -> Decimal | None:
    """Total daily dose in mg over every dosage line, or None if any line cannot be read, it is as-needed, or the
    lines are steps of a taper (never summed across steps: pick the step in force with dosage_steps.in_force)."""
    if not dosages or is_as_needed(dosages) or is_stepped(dosages):
        return None
    return lines_daily_mg(dosages, strength_mg)


def daily_times(dosages: tuple[Dosage, ...]) -> Decimal | None:
    """Administrations a day over every dosage line, or None if any cannot be read, as-needed, or stepped."""
    if not dosages or is_as_needed(dosages) or is_stepped(dosages):
        return None
    return lines_daily_times(dosages)


#: "maximum 8 tablets in 24 hours", "up to 4 g a day", "max 4g/day", "no more than 4 doses in 24 hours".
_LIMIT = r"\b(?:max(?:imum)?(?: of)?|up to|no more than|not more than|not to exceed)\s+"
_NUMBER = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|eight)"
_PER_DAY = r"(?:\s*(?:in|per|a|each|every|in any|in one)\s+(?:24\s*hours?|24\s*h(?:rs?)?|day)|\s*/\s*(?:day|24\s*h(?:ours?)?)|\s+daily)\b"
_TEXT_MAX_AMOUNT = re.compile(_LIMIT + _NUMBER + r"\s*(mg|g|tablets?|capsules?|doses?)" + _PER_DAY)
_TEXT_MAX_TIMES = re.compile(_LIMIT + r"(?:" + _NUMBER + r"\s+times|(once|twice))" + _PER_DAY)
_NUMBER_WORDS = {**_WORDS, "eight": Decimal(8), "once": Decimal(1), "twice": Decimal(2)}


def _number(word: str) -> Decimal:
    """'4' or 'four' as a Decimal."""
    return _NUMBER_WORDS[word] if word in _NUMBER_WORDS else Decimal(word)


def _period_days(value: Decimal | None, unit: str | None) -> Decimal | None:
    """A denominator such as 24 h or 1 d in days."""
    if value is None or not value or unit not in _PERIOD_DAYS:
        return None
    return value * _PERIOD_DAYS[unit]


def _amount_mg(value: Decimal, unit: str, strength_mg: Decimal | None) -> Decimal | None:
    """An amount in mg: mg, g, micrograms, or a count of tablets or capsules of a known strength."""
    unit = unit.lower()
    if unit in _MG_UNITS:
        return value
    if unit == "g":
        return value * 1000
    if unit in _MICROGRAM_UNITS:
        return value / 1000
    if unit.rstrip("s") in ("tablet", "capsule") or unit in _UNIT_OF_PRESENTATION:
        return value * strength_mg if strength_mg is not None else None
    return None


def _structured_max(dosage: Dosage, strength_mg: Decimal | None) -> Decimal | None:
    """Dosage.maxDosePerPeriod as mg a day (only for periods of a day or less: a weekly cap is no daily one)."""
    if dosage.max_dose_value is None or not dosage.max_dose_unit:
        return None
    days = _period_days(dosage.max_dose_period if dosage.max_dose_period is not None else Decimal(1),
                        dosage.max_dose_period_unit or "d")
    amount = _amount_mg(dosage.max_dose_value, dosage.max_dose_unit, strength_mg)
    if days is None or days > 1 or amount is None:
        return None
    return amount / days


def max_times_per_day(dosage: Dosage) -> Decimal | None:
    """The most administrations a day: timing.repeat.frequencyMax, else 'up to N times a day', else the frequency
    (for a when-required line, 'four times a day when required' means at most four times)."""
    if dosage.frequency_max is not None and dosage.period and dosage.period_unit in _PERIOD_DAYS:
        return Decimal(dosage.frequency_max) / (dosage.period * _PERIOD_DAYS[dosage.period_unit])
    found = _TEXT_MAX_TIMES.search((dosage.text or "").lower())
    if found:
        return _number(found.group(1) or found.group(2))
    return times_per_day(dosage)


def _line_max_mg(dosage: Dosage, strength_mg: Decimal | None) -> Decimal | None:
    """The most of one when-required line a day: a stated maximum, else one dose times the most times a day."""
    structured = _structured_max(dosage, strength_mg)
    if structured is not None:
        return structured
    dose = dose_mg(dosage, strength_mg)
    stated = _TEXT_MAX_AMOUNT.search((dosage.text or "").lower())
    if stated:
        value, unit = _number(stated.group(1)), stated.group(2)
        if unit.startswith("dose"):
            return value * dose if dose is not None else None
        return _amount_mg(value, unit, strength_mg)
    times = max_times_per_day(dosage)
    return times * dose if times is not None and dose is not None else None


def max_daily_mg(dosages: tuple[Dosage, ...], strength_mg: Decimal | None) -> Decimal | None:
    """The most that may be taken in a day (DOMAIN.md §3: a PRN maximum is compared with a regular total): each
    when-required line's maximum plus each regular line's daily dose; None if any part cannot be read."""
    if not dosages:
        return None
    total = Decimal(0)
    for dosage in dosages:
        part = _line_max_mg(dosage, strength_mg) if _line_as_needed(dosage) else lines_daily_mg((dosage,), strength_mg)
        if part is None:
            return None
        total += part
    return _plain(total)
