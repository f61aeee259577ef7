"""How much a day: total daily dose and administrations a day, from structured dosage or plain dosage text.

DOMAIN.md §3: at another strength, compare the **total daily dose**, not the product strength. Only what can be
read with confidence is computed; anything else is None and is never compared as if it were known.
"""

from __future__ import annotations

import re
from decimal import Decimal

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
    return any(d.as_needed or bool(_AS_NEEDED.search((d.text or "").lower())) for d in dosages)


def daily_dose_mg(dosages: tuple[Dosage, ...], strength_mg: Decimal | None) -> Decimal | None:
    """Total daily dose in mg over every dosage line, or None if any line cannot be read or it is as-needed."""
    if not dosages or is_as_needed(dosages):
        return None
    total = Decimal(0)
    for dosage in dosages:
        times, dose = times_per_day(dosage), dose_mg(dosage, strength_mg)
        if times is None or dose is None:
            return None
        total += times * dose
    return _plain(total)


def daily_times(dosages: tuple[Dosage, ...]) -> Decimal | None:
    """Administrations a day over every dosage line, or None if any cannot be read."""
    if not dosages or is_as_needed(dosages):
        return None
    total = Decimal(0)
    for dosage in dosages:
        times = times_per_day(dosage)
        if times is None:
            return None
        total += times
    return _plain(total)
