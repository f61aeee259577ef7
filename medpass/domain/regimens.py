"""What one feed says the patient takes of one medicine on a date: every entry it lists, read as one regimen.

DOMAIN.md §3: two entries of one ingredient in one list are either one regimen (split doses, summed) or a
duplicate. medpass's rule, conservative because a wrong merge hides a double dose: entries are **one regimen
split by time of day** only when they are the same product (the same dm+d product, or the same name when
uncoded), by the same route, none is when-required or stepped, and each names its times of day (timing
`when` / `timeOfDay`, or "in the morning", "at night" in its text) with no time of day in two entries. Anything
else, including two strengths of one medicine, is a duplicate: when unsure, flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpass.domain.dictionary import normalise_name
from medpass.domain.dosage_steps import in_force, is_stepped
from medpass.domain.dosing import is_as_needed, lines_daily_mg, lines_daily_times, max_daily_mg
from medpass.domain.feeds import Feed
from medpass.domain.lines import Identified, Line
from medpass.domain.medications import Dosage

SPLIT_DOSE_SOURCE = (
    "DOMAIN.md §3: two entries of one ingredient in one list are one regimen (split doses, summed) or a duplicate; "
    "medpass: same product, same route, complementary times of day = split dose, else duplicate"
)

#: FHIR R4 EventTiming (timing.repeat.when) by the part of the day it names; meal codes without a meal (C, AC, PC)
#: name no time of day.
_WHEN_SLOTS = {
    "morning": {"MORN", "MORN.early", "MORN.late", "WAKE", "CM", "ACM", "PCM"},
    "midday": {"NOON", "AFT", "AFT.early", "AFT.late", "CD", "ACD", "PCD"},
    "evening": {"EVE", "EVE.early", "EVE.late", "CV", "ACV", "PCV"},
    "night": {"NIGHT", "PHS", "HS"},
}
_TEXT_SLOTS = {
    "morning": re.compile(r"\b(morning|mornings|breakfast|mane|on waking)\b"),
    "midday": re.compile(r"\b(lunchtime|lunch|midday|noon|afternoon)\b"),
    "evening": re.compile(r"\b(evening|teatime|tea time|evening meal)\b"),
    "night": re.compile(r"\b(night|bedtime|nocte)\b"),
}


def _slot_of_time(clock: str) -> str | None:
    """timing.repeat.timeOfDay ('08:00:00') as a part of the day."""
    try:
        hour = int(clock[:2])
    except ValueError:
        return None
    if 4 <= hour < 11:
        return "morning"
    if 11 <= hour < 15:
        return "midday"
    if 15 <= hour < 20:
        return "evening"
    return "night"


def times_of_day(dosage: Dosage) -> frozenset[str]:
    """The parts of the day one dosage line names (structured first, else its text); empty when it names none."""
    slots = {slot for code in dosage.when for slot, codes in _WHEN_SLOTS.items() if code in codes}
    slots |= {slot for clock in dosage.time_of_day if (slot := _slot_of_time(clock))}
    if slots:
        return frozenset(slots)
    text = (dosage.text or "").lower()
    return frozenset(slot for slot, pattern in _TEXT_SLOTS.items() if pattern.search(text))


def _product(member: Identified) -> str:
    """The product an entry names: its dm+d product, or its normalised name when the dictionary lacks it."""
    return member.product.dmd_id if member.product else normalise_name(member.statement.entry.medicine.name)


def _route(member: Identified) -> str | None:
    """The route code of an entry's first dosage line."""
    dosages = member.statement.entry.dosages
    return dosages[0].route.code if dosages and dosages[0].route else None


def is_one_regimen(members: list[Identified]) -> bool:
    """True when one feed's entries of one medicine are a single regimen split by time of day (SPLIT_DOSE_SOURCE)."""
    if len(members) < 2:
        return True
    if len({_product(m) for m in members}) > 1 or len({_route(m) for m in members}) > 1:
        return False
    taken: set[str] = set()
    for member in members:
        dosages = member.statement.entry.dosages
        if not dosages or is_as_needed(dosages) or is_stepped(dosages):
            return False
        slots = [times_of_day(d) for d in dosages]
        if not all(slots):
            return False
        mine = frozenset().union(*slots)
        if mine & taken:
            return False
        taken |= mine
    return True


@dataclass(frozen=True)
class Regimen:
    """One feed's entries of one medicine on a date, read together: their total, or the most when required."""

    feed: Feed
    members: tuple[Identified, ...]
    as_needed: bool
    daily_mg: Decimal | None = None
    times: Decimal | None = None
    max_daily_mg: Decimal | None = None
    dose_mg: Decimal | None = None

    @property
    def strength(self) -> str | None:
        """The product strength as written (one product: split doses are of one product)."""
        product = self.members[0].product
        return product.strength if product and product.strength else None


def _strength_mg(member: Identified) -> Decimal | None:
    """A single-ingredient product's strength in mg, if the dictionary knows it."""
    return member.product.strength_mg if member.product else None


def _sum(values: list[Decimal | None]) -> Decimal | None:
    """The sum, or None if any part is unknown."""
    return None if any(v is None for v in values) else sum((v for v in values if v is not None), Decimal(0))


def regimen_of(feed: Feed, members: list[Identified], today: date | None) -> Regimen:
    """Read one feed's entries as one regimen, each by the dosage step in force on `today` (never all steps)."""
    lines = [in_force(m.statement.entry.dosages, m.statement.entry.effective_start, today) for m in members]
    if any(found is None for found in lines):
        return Regimen(feed, tuple(members), is_as_needed(tuple(d for m in members for d in m.statement.entry.dosages)))
    current = [found or () for found in lines]
    if is_as_needed(tuple(d for found in current for d in found)):
        most = _sum([max_daily_mg(found, _strength_mg(m)) for m, found in zip(members, current, strict=True)])
        return Regimen(feed, tuple(members), True, max_daily_mg=most)
    daily = _sum([lines_daily_mg(found, _strength_mg(m)) for m, found in zip(members, current, strict=True)])
    times = _sum([lines_daily_times(found) for found in current])
    doses = {d.dose_value for found in current for d in found}
    single = len(current) == 1 and len(current[0]) == 1 and len(doses) == 1
    dose = daily / times if single and daily is not None and times else None
    return Regimen(feed, tuple(members), False, daily, times, dose_mg=dose)


def feed_regimens(line: Line, today: date | None) -> dict[Feed, Regimen]:
    """Each feed's regimen of a line on `today`, for feeds whose active entries are one regimen (a feed listing
    the medicine twice over is a duplicate, reported as such, and its dose is not compared until resolved)."""
    found: dict[Feed, Regimen] = {}
    for feed in Feed:
        members = [m for m in line.in_feed(feed) if m.statement.is_active]
        if members and is_one_regimen(members):
            found[feed] = regimen_of(feed, members, today)
    return found
