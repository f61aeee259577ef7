"""When a depot or other long-interval medicine is next due, and when it is overdue (DOMAIN.md §4 'Depot').

The next dose is due at the last dose (a completed MedicationAdministration: MedicationEntry.last_dose_date) plus the
interval the dosage gives (timing.repeat, else its text). NICE NG5 asks for the date of the last dose "including any
injections"; an overdue depot is a relapse risk and must be visible. The grace before one counts as overdue is a
setting (Config.reconciliation, MEDPASS_DEPOT_GRACE_DAYS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, feed_labels, harm_of, line_discrepancy
from medpass.domain.lines import Identified, Line
from medpass.domain.medications import Dosage, MedicationEntry

DEPOT_SOURCE = "DOMAIN.md §4 (depots: next dose at last dose + interval; overdue is a relapse risk); NICE NG5 (last dose of injections)"
#: A medicine given at most once a week is long-interval.
LONG_INTERVAL_DAYS = 7
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "twelve": 12}
_EVERY = re.compile(r"\bevery (\d+|one|two|three|four|five|six|eight|twelve) (day|days|week|weeks|month|months)\b")
_SIMPLE = [
    (re.compile(r"\b(fortnightly|every other week)\b"), 14, 0),
    (re.compile(r"\b(monthly|once a month|every month|each month)\b"), 0, 1),
    (re.compile(r"\b(once a week|once weekly|every week|each week|weekly)\b"), 7, 0),
]


@dataclass(frozen=True)
class Interval:
    """Time between doses: days, or calendar months (a monthly injection is due on the same day next month)."""

    days: int = 0
    months: int = 0

    @property
    def long(self) -> bool:
        """At least a week between doses."""
        return self.months > 0 or self.days >= LONG_INTERVAL_DAYS

    def after(self, day: date) -> date:
        """The date this interval after `day` (month ends clamp: 31 Jan + 1 month is 28 or 29 Feb)."""
        if not self.months:
            return day + timedelta(days=self.days)
        year, month = divmod(day.month - 1 + self.months, 12)
        for last in (day.day, 30, 29, 28):
            try:
                return date(day.year + year, month + 1, last)
            except ValueError:
                continue
        raise AssertionError("unreachable")

    def __str__(self) -> str:
        """'every 2 weeks', 'every month', 'every 10 days'."""
        if self.months:
            return "every month" if self.months == 1 else f"every {self.months} months"
        if self.days % 7 == 0:
            weeks = self.days // 7
            return "every week" if weeks == 1 else f"every {weeks} weeks"
        return f"every {self.days} days"


def _structured(dosage: Dosage) -> Interval | None:
    """The interval from timing.repeat (frequency per period periodUnit), when it is one dose per whole period."""
    if dosage.frequency is None or not dosage.period or dosage.period_unit not in ("d", "wk", "mo", "a"):
        return None
    if dosage.period_unit in ("mo", "a") and dosage.frequency == 1:
        return Interval(months=int(dosage.period) * (12 if dosage.period_unit == "a" else 1))
    days = dosage.period * {"d": 1, "wk": 7, "mo": 30, "a": 365}[dosage.period_unit] / dosage.frequency
    return Interval(days=int(days)) if days == int(days) else None


def _from_text(text: str | None) -> Interval | None:
    """The interval written in words ('every 2 weeks', 'fortnightly', 'monthly')."""
    lowered = (text or "").lower()
    every = _EVERY.search(lowered)
    if every:
        count = int(every.group(1)) if every.group(1).isdigit() else _NUMBERS[every.group(1)]
        unit = every.group(2)
        return Interval(months=count) if unit.startswith("month") else Interval(days=count * (7 if unit.startswith("week") else 1))
    for pattern, days, months in _SIMPLE:
        if pattern.search(lowered):
            return Interval(days=days, months=months)
    return None


def interval_of(dosages: tuple[Dosage, ...]) -> Interval | None:
    """The interval between doses of a long-interval medicine (structured timing first, then text); None if not one."""
    for dosage in dosages:
        interval = _structured(dosage) or _from_text(dosage.text)
        if interval is not None:
            return interval if interval.long else None
    return None


def next_dose_due(entry: MedicationEntry) -> date | None:
    """The date the next dose is due: last dose plus interval; None when either is not known or it is not long-interval."""
    interval = interval_of(entry.dosages)
    if not entry.last_dose_date or interval is None:
        return None
    return interval.after(date.fromisoformat(entry.last_dose_date[:10]))


def newest_dose(line: Line) -> Identified | None:
    """The statement with the newest last dose that also says when the next is due."""
    dated = [m for m in line.members if m.statement.entry.last_dose_date and next_dose_due(m.statement.entry)]
    return max(dated, key=lambda m: m.statement.entry.last_dose_date or "") if dated else None


def overdue_doses(lines: list[Line], today: date, grace_days: int) -> list[Discrepancy]:
    """An active long-interval medicine whose next dose was due more than `grace_days` before today."""
    found = []
    for line in (line for line in lines if line.active()):
        newest = newest_dose(line)
        due = next_dose_due(newest.statement.entry) if newest else None
        if newest is None or due is None or today <= due + timedelta(days=grace_days):
            continue
        entry = newest.statement.entry
        detail = (
            f"{line.name}: the last dose in the feeds was given on {(entry.last_dose_date or '')[:10]} "
            f"({feed_labels([newest.statement.feed])}); given {interval_of(entry.dosages)}, the next was due on "
            f"{due.isoformat()}, {(today - due).days} days ago. Check whether it was given; if not, arrange it now."
        )
        harm = Harm.HIGH if "antipsychotic" in line.classes else harm_of(line)
        members = list(dict.fromkeys([*line.active(), newest]))
        found.append(line_discrepancy(DiscrepancyCode.DEPOT_OVERDUE, harm, line, members, detail, DEPOT_SOURCE))
    return found
