"""When required (PRN) against regular: a switch is a frequency change, and the most a day is a dose (DOMAIN.md §3).

A medicine one feed lists "when required" (Dosage.asNeeded, or "when required", "as required", "PRN" in the
text) and another as regular is a `frequency` discrepancy: a when-required medicine made regular at discharge, or
the reverse, changes how much the patient takes. The most a day when required (Dosage.maxDosePerPeriod, "up to
4 times a day", "maximum 8 tablets in 24 hours", or one dose times its frequency) is compared with the regular
total daily dose, and with another feed's when-required maximum: any difference is a `dose` discrepancy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, feed_labels, feeds_of, harm_of, issue_key, references_of
from medpass.domain.feeds import Feed
from medpass.domain.lines import Identified, Line
from medpass.domain.regimens import Regimen, feed_regimens

WHEN_REQUIRED_SOURCE = (
    "DOMAIN.md §3: PRN against regular is compared (the maximum daily dose against the regular total; a switch is a "
    "frequency change); MGB discharge comparison rule: ties broken on PRN status"
)
_HOW_OFTEN = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}


def amount(mg: Decimal) -> str:
    """An amount as people write it: '500 mg', '4 g', '1.5 g'."""
    if mg >= 1000:
        grams = (mg / 1000).normalize()
        return f"{format(grams, 'f')} g"
    return f"{format(mg.normalize(), 'f')} mg"


def _how_often(times: Decimal) -> str:
    """'four times a day', or '5 times a day'."""
    whole = int(times) if times == times.to_integral_value() else None
    return _HOW_OFTEN.get(whole or 0, f"{format(times.normalize(), 'f')} times a day")


def regimen_words(regimen: Regimen) -> str:
    """'when required, up to 4 g a day' or '1 g four times a day, regularly' (PRN said in words, never shorthand)."""
    if regimen.as_needed:
        return f"when required, up to {amount(regimen.max_daily_mg)} a day" if regimen.max_daily_mg else "when required, no maximum stated"
    if regimen.dose_mg is not None and regimen.times:
        return f"{amount(regimen.dose_mg)} {_how_often(regimen.times)}, regularly"
    if regimen.daily_mg is not None:
        return f"{amount(regimen.daily_mg)} a day, regularly"
    return "regularly, dose not stated"


def _reason(members: list[Identified]) -> str | None:
    """A recorded reason for the change among the statements (PRSB indicationForChange)."""
    return next((m.statement.entry.change.reason for m in members if m.statement.entry.change and m.statement.entry.change.reason), None)


def _discrepancy(code: DiscrepancyCode, line: Line, regimens: list[Regimen], what: str) -> Discrepancy:
    """One when-required difference naming every feed's regimen in words."""
    members = [m for r in regimens for m in r.members]
    reason = _reason(members)
    described = "; ".join(f"the {r.feed.label}: {regimen_words(r)}" for r in regimens)
    because = f" Reason recorded: {reason}." if reason else " No reason recorded."
    detail = f"{line.name}: {what}. {described[0].upper()}{described[1:]}.{because}"
    return Discrepancy(code, harm_of(line), line.name, detail, reason is not None, references_of(members), feeds_of(members),
                       issue_key(code, line, "when-required"), WHEN_REQUIRED_SOURCE)


def _most_a_day(regimen: Regimen) -> Decimal | None:
    """The most a feed's regimen has the patient take a day: the PRN maximum, or the regular total."""
    return regimen.max_daily_mg if regimen.as_needed else regimen.daily_mg


def _switch(regimens: list[Regimen]) -> str:
    """'taken only when required according to the GP practice, regularly according to the acute hospital'."""
    prn = [r.feed for r in regimens if r.as_needed]
    regular = [r.feed for r in regimens if not r.as_needed]
    return f"taken only when required according to {feed_labels(prn)}, regularly according to {feed_labels(regular)}"


def _most_differs(compared: list[Regimen], known: dict[Feed, Decimal]) -> str:
    """Which is above which, when one feed's maximum meets another's regular total; else that the most a day differs."""
    prn = [r for r in compared if r.as_needed]
    regular = [r for r in compared if not r.as_needed]
    if len(prn) == 1 and len(regular) == 1:
        most, total = amount(known[prn[0].feed]), amount(known[regular[0].feed])
        if known[regular[0].feed] > known[prn[0].feed]:
            return f"the regular total ({total} a day) is above the most allowed when required ({most} a day)"
        return f"the most allowed when required ({most} a day) is above the regular total ({total} a day)"
    return "the most that may be taken a day differs"


def when_required_differences(line: Line, today: date | None) -> list[Discrepancy]:
    """A switch between when required and regular (frequency); a PRN maximum that differs from another feed's
    regular total or PRN maximum (dose). Regular against regular is compared in `differences`."""
    regimens = feed_regimens(line, today)
    as_needed = [r for r in regimens.values() if r.as_needed]
    if not as_needed or len(regimens) < 2:
        return []
    found: list[Discrepancy] = []
    if len(as_needed) < len(regimens):
        found.append(_discrepancy(DiscrepancyCode.FREQUENCY, line, list(regimens.values()), _switch(list(regimens.values()))))
    known = {feed: most for feed, r in regimens.items() if (most := _most_a_day(r)) is not None}
    prn_known = [r.feed for r in as_needed if r.feed in known]
    if any(known[f] != known[other] for f in prn_known for other in known if other is not f):
        compared = [r for r in regimens.values() if r.feed in known]
        found.append(_discrepancy(DiscrepancyCode.DOSE, line, compared, _most_differs(compared, known)))
    return found


def feeds_taking_it_regularly(line: Line, today: date | None) -> dict[Feed, Regimen]:
    """Each feed's regimen that is regular (not when required): what `differences` compares dose and frequency on."""
    return {feed: r for feed, r in feed_regimens(line, today).items() if not r.as_needed}
