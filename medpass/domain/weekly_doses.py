"""Weekly medicines written daily: a sevenfold difference in times a week of methotrexate is a high-harm error.

NPSA patient safety alert (2006) on oral methotrexate, and MHRA Drug Safety Update (September 2020): for autoimmune
diseases methotrexate is taken once a week; taken daily by mistake it has caused fatal overdoses (DOMAIN.md §3).
"""

from __future__ import annotations

from decimal import Decimal

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, feeds_of, issue_key, references_of, versions_of
from medpass.domain.dosing import dose_mg, is_as_needed, lines_daily_times, times_per_day
from medpass.domain.lines import Identified, Line

WEEKLY_SOURCE = (
    "NPSA patient safety alert 2006, oral methotrexate [check the current alert]; MHRA Drug Safety Update September 2020: "
    "once-weekly methotrexate, dosing errors have caused fatal overdoses"
)
#: Medicines taken once a week whose daily use is a sevenfold overdose (DOMAIN.md §3: methotrexate).
WEEKLY_MEDICINES = frozenset({"methotrexate"})
_PLACES = Decimal("0.01")


def times_per_week(member: Identified) -> Decimal | None:
    """Administrations a week over every dosage line, or None when any cannot be read or it is as-needed."""
    dosages = member.statement.entry.dosages
    daily = None if is_as_needed(dosages) else lines_daily_times(dosages)
    return None if daily is None else (daily * 7).quantize(_PLACES)


def _mg_per_week(member: Identified) -> Decimal | None:
    """The mg taken in a week, when every dosage line says how much and how often."""
    strength = member.product.strength_mg if member.product else None
    total = Decimal(0)
    for dosage in member.statement.entry.dosages:
        times, dose = times_per_day(dosage), dose_mg(dosage, strength)
        if times is None or dose is None:
            return None
        total += times * 7 * dose
    return total.quantize(_PLACES).normalize()


def _how_often(per_week: Decimal) -> str:
    """'once a week', 'once a day', '3 times a week'."""
    if per_week == 1:
        return "once a week"
    if per_week % 7 == 0:
        per_day = per_week / 7
        return {Decimal(1): "once a day", Decimal(2): "twice a day"}.get(per_day, f"{per_day.normalize()} times a day")
    return f"{per_week.normalize()} times a week"


def _sevenfold(weeks: list[Decimal]) -> bool:
    """Whether two of the feeds' times a week differ by a factor of seven."""
    return any(b == a * 7 for a in weeks for b in weeks if a)


def weekly_differences(line: Line, generic: list[Discrepancy]) -> list[Discrepancy]:
    """A weekly medicine written seven times as often in one feed: one high frequency discrepancy that says so.

    It replaces the line's generic frequency and dose discrepancies, whose daily figures would hide the error.
    """
    versions = versions_of(line)
    weeks = {m.statement.feed: (m, w) for m in versions if (w := times_per_week(m)) is not None}
    if not line.ingredients & WEEKLY_MEDICINES or not _sevenfold([w for _, w in weeks.values()]):
        return generic
    parts = []
    for feed, (member, per_week) in weeks.items():
        amount = _mg_per_week(member)
        parts.append(f"the {feed.label}: {_how_often(per_week)}" + (f" ({amount} mg a week)" if amount is not None else ""))
    members = [m for m, _ in weeks.values()]
    detail = (
        f"{line.name} is written to be taken seven times as often in one feed as in another: {'; '.join(parts)}. "
        f"{line.name} for arthritis, psoriasis or Crohn's disease is taken once a week; taken daily it is a sevenfold "
        "overdose that can kill. Check which is right before the next dose."
    )
    kept = [d for d in generic if d.code not in (DiscrepancyCode.FREQUENCY, DiscrepancyCode.DOSE)]
    return [*kept, Discrepancy(DiscrepancyCode.FREQUENCY, Harm.HIGH, line.name, detail, False, references_of(members),
                               feeds_of(members), issue_key(DiscrepancyCode.FREQUENCY, line), WEEKLY_SOURCE)]
