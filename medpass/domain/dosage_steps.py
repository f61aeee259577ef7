"""Tapers and stepped regimens: which dosage lines are in force on a date (DOMAIN.md §3, FHIR R4 Dosage).

A regimen in steps is several `dosage` lines: `Dosage.sequence` orders them ("the order in which the dosage
instructions should be applied"), and `timing.repeat.boundsPeriod` / `boundsDuration` say when each applies (a
duration runs from the end of the step before, the first from the statement's effective start). Lines of one
step (the same sequence and bounds) are taken together and summed (morning + night); steps never are. A step
that cannot be placed in time is not guessed: nothing is in force, so nothing is compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from medpass.domain.medications import Dosage

STEPS_SOURCE = (
    "DOMAIN.md §3: tapers and steps are compared by the step in force, never the sum "
    "(FHIR R4 Dosage.sequence, timing.repeat.boundsPeriod / boundsDuration)"
)

#: UCUM units of a boundsDuration in whole days; months and years are calendar ones (see `_after`).
_DAYS = {"d": 1, "wk": 7}
_MONTHS = {"mo": 1, "a": 12}

StepKey = tuple[int | None, str | None, str | None, Decimal | None, str | None]


@dataclass(frozen=True)
class Step:
    """Dosage lines taken together, from `start` (None: from the beginning) until before `end` (None: open)."""

    lines: tuple[Dosage, ...]
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        """True when this step applies on `day`."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def _key(line: Dosage) -> StepKey:
    """What makes lines one step: the same sequence and the same bounds."""
    return (line.sequence, line.bounds_start, line.bounds_end, line.bounds_duration, line.bounds_duration_unit)


def _groups(dosages: tuple[Dosage, ...]) -> list[tuple[Dosage, ...]]:
    """The lines grouped into steps, in the order they were written."""
    grouped: dict[StepKey, list[Dosage]] = {}
    for line in dosages:
        grouped.setdefault(_key(line), []).append(line)
    return [tuple(lines) for lines in grouped.values()]


def is_stepped(dosages: tuple[Dosage, ...]) -> bool:
    """True when the dosage lines are more than one step (a taper, a loading dose then maintenance)."""
    return len(_groups(dosages)) > 1


def _day(value: str | None) -> date | None:
    """A FHIR date or dateTime as a date (a year or year-month alone is too vague to place a step)."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _after(start: date, value: Decimal, unit: str | None) -> date | None:
    """`start` plus a duration in days, weeks, calendar months or years; None for anything else (hours, ranges)."""
    if value != value.to_integral_value() or value < 0:
        return None
    whole = int(value)
    if unit in _DAYS:
        return start + timedelta(days=whole * _DAYS[unit])
    if unit in _MONTHS:
        months = start.year * 12 + start.month - 1 + whole * _MONTHS[unit]
        year, month = divmod(months, 12)
        for day in (start.day, 30, 29, 28):
            try:
                return date(year, month + 1, day)
            except ValueError:
                continue
    return None


def _ordered(groups: list[tuple[Dosage, ...]]) -> list[tuple[Dosage, ...]] | None:
    """Steps in the order they are taken: by sequence, else by their period's start; None when it cannot be told."""
    if all(g[0].sequence is not None for g in groups):
        return sorted(groups, key=lambda g: g[0].sequence or 0)
    starts = [_day(g[0].bounds_start) for g in groups]
    if all(starts):
        return [g for _, g in sorted(zip(starts, groups, strict=True), key=lambda pair: pair[0] or date.min)]
    return None


def steps(dosages: tuple[Dosage, ...], started: str | None) -> list[Step] | None:
    """Every step with the dates it applies, or None when a step cannot be placed in time."""
    ordered = _ordered(_groups(dosages))
    if ordered is None:
        return None
    found: list[Step] = []
    cursor = _day(started)
    for position, lines in enumerate(ordered):
        first = lines[0]
        if first.bounds_start or first.bounds_end:
            start, end = _day(first.bounds_start) or cursor, _day(first.bounds_end)
            end = end + timedelta(days=1) if end else None  # a Period's end date is the last day it applies
        elif first.bounds_duration is not None:
            if cursor is None:
                return None
            start, end = cursor, _after(cursor, first.bounds_duration, first.bounds_duration_unit)
            if end is None:
                return None
        elif position == len(ordered) - 1:
            start, end = cursor, None  # the last step runs on (maintenance)
        else:
            return None  # an unbounded step before another: when the next one starts is not said
        if position > 0 and start is None:
            return None
        found.append(Step(lines, start, end))
        cursor = end
    return found


def in_force(dosages: tuple[Dosage, ...], started: str | None, today: date | None) -> tuple[Dosage, ...] | None:
    """The dosage lines in force on `today`: all of them when they are one step, else the one step that covers
    the date; None when that cannot be told (no date, steps that cannot be placed, none or two covering it)."""
    if not is_stepped(dosages):
        return dosages
    if today is None:
        return None
    placed = steps(dosages, started)
    if placed is None:
        return None
    covering = [step for step in placed if step.covers(today)]
    return covering[0].lines if len(covering) == 1 else None
