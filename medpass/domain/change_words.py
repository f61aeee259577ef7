"""Changes said as changes (issue 9, point 2): "dose changed from 10 mg to 20 mg at night", "brand changed to
Priadel", "changed from when required to regular", never "stopped" for a medicine whose dose went up.

One wording for every place that tells people what changed: the passport's "what changed", the reconciled list,
change notifications (Tasks) and their texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medpass.domain.agreement import LineAgreement, Says
from medpass.domain.dosing import daily_dose_mg, dose_mg, is_as_needed, times_per_day
from medpass.domain.feeds import Feed
from medpass.domain.lines import Identified
from medpass.domain.medications import Dosage

#: FHIR R4 event-timing codes (timing.repeat.when) in words; the SNOMED-free HL7 v3 TimingEvent values.
_WHEN_WORDS = {
    "MORN": "in the morning", "MORN.early": "early in the morning", "MORN.late": "late in the morning",
    "NOON": "at midday", "AFT": "in the afternoon", "EVE": "in the evening", "NIGHT": "at night", "HS": "at bedtime",
    "WAKE": "on waking", "C": "with a meal", "CM": "with breakfast", "CD": "with lunch", "CV": "with the evening meal",
    "AC": "before a meal", "ACM": "before breakfast", "ACD": "before lunch", "ACV": "before the evening meal",
    "PC": "after a meal", "PCM": "after breakfast", "PCD": "after lunch", "PCV": "after the evening meal", "PHS": "after sleep",
}
_UNIT_WORDS = {"h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}


def number(value: Decimal) -> str:
    """A Decimal as people write it: 50, 2.5, 0.25."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def how_often(dosage: Dosage) -> str | None:
    """'at night', 'twice a day', 'once a week', 'every 2 weeks', 'when required'; None if not stated."""
    if dosage.as_needed:
        return "when required"
    words = [_WHEN_WORDS[code] for code in dosage.when if code in _WHEN_WORDS]
    if words:
        return " and ".join(words)
    if dosage.frequency is None or not dosage.period or dosage.period_unit not in _UNIT_WORDS:
        return None
    unit = _UNIT_WORDS[dosage.period_unit]
    times = {1: "once", 2: "twice"}.get(dosage.frequency, f"{dosage.frequency} times")
    if dosage.period == 1:
        return f"{times} a {unit}"
    return f"every {number(dosage.period)} {unit}s" if dosage.frequency == 1 else f"{times} every {number(dosage.period)} {unit}s"


def _strength(member: Identified) -> Decimal | None:
    """The product's strength per unit in mg, when plain."""
    return member.product.strength_mg if member.product else None


def _dose_words(member: Identified) -> str | None:
    """'20 mg at night' for a one-line structured regimen; None when it cannot be said with confidence."""
    dosages = member.statement.entry.dosages
    if len(dosages) != 1:
        return None
    dose, often = dose_mg(dosages[0], _strength(member)), how_often(dosages[0])
    if dose is None or often is None:
        return None
    return f"{number(dose)} mg {often}"


def _brand(member: Identified) -> str | None:
    """The brand a product is written as, if any."""
    return member.product.brand if member.product and member.product.brand else None


def _form(member: Identified) -> str | None:
    """The product's form, if known."""
    return member.product.form if member.product and member.product.form else None


def _route(member: Identified) -> str | None:
    """The route as the sender wrote it."""
    dosages = member.statement.entry.dosages
    route = dosages[0].route if dosages else None
    return (route.display or route.code) if route else None


def _text(member: Identified) -> str:
    """The dosage as written, or that none was given."""
    return member.statement.entry.dosage_text or "no instructions given"


def describe_change(before: Identified, after: Identified) -> str:
    """What changed between two versions of one medicine, in words; '' when nothing people would notice did."""
    said: list[str] = []
    other_preparation = before.ingredients != after.ingredients or (_form(before) and _form(after) and _form(before) != _form(after))
    if other_preparation:
        said.append(f"changed from {before.statement.entry.medicine.name} to {after.statement.entry.medicine.name}")
    elif _brand(before) != _brand(after) and (before.product or after.product):
        said.append(f"brand changed to {_brand(after)}" if _brand(after) else "changed to a generic (unbranded) version")
    prn_before, prn_after = is_as_needed(before.statement.entry.dosages), is_as_needed(after.statement.entry.dosages)
    if prn_before != prn_after:
        said.append("changed from when required to regular" if prn_before else "changed from regular to when required")
    words_before, words_after = _dose_words(before), _dose_words(after)
    daily_before = daily_dose_mg(before.statement.entry.dosages, _strength(before))
    daily_after = daily_dose_mg(after.statement.entry.dosages, _strength(after))
    if words_before and words_after and words_before != words_after:
        often_before = how_often(before.statement.entry.dosages[0])
        often_after = how_often(after.statement.entry.dosages[0])
        if often_before == often_after:
            dose_then = words_before.removesuffix(f" {often_before}")
            said.append(f"dose changed from {dose_then} to {words_after}")
        else:
            said.append(f"changed from {words_before} to {words_after}")
    elif daily_before is not None and daily_after is not None and daily_before != daily_after:
        said.append(f"dose changed from {number(daily_before)} mg to {number(daily_after)} mg a day")
    elif not said and _times(before) != _times(after) and None not in (_times(before), _times(after)):
        said.append(f"changed from {_text(before)} to {_text(after)}")
    if _route(before) and _route(after) and _route(before) != _route(after):
        said.append(f"route changed from {_route(before)} to {_route(after)}")
    if not said and _text(before).casefold() != _text(after).casefold():
        said.append(f"instructions changed from “{_text(before)}” to “{_text(after)}”")
    return "; ".join(said)


def _times(member: Identified) -> Decimal | None:
    """Administrations a day of a one-line regimen."""
    dosages = member.statement.entry.dosages
    return times_per_day(dosages[0]) if len(dosages) == 1 else None


@dataclass(frozen=True)
class RecordedChange:
    """A change one partner recorded for a medicine: when (ISO date), who, what in words, and the reason if given."""

    on: str
    feed: Feed
    medicine: str
    what: str
    reason: str | None


def recorded_changes(agreement: LineAgreement) -> list[RecordedChange]:
    """Every start, change, pause and stop the partners' current lists record for a medicine, said as changes."""
    found = []
    takes = [p for p in agreement.positions if p.says is Says.TAKES]
    for position in agreement.positions:
        if not position.members:
            continue
        member = position.members[0]
        change = member.statement.entry.change
        if position.says in (Says.STOPPED, Says.ON_HOLD):
            what = "paused" if position.says is Says.ON_HOLD else "stopped"
        elif change is not None and change.status.value == "added":
            what = "started"
        elif change is not None and change.status.value == "amended":
            older = [p for p in takes if p is not position and p.message_time < position.message_time]
            what = (describe_change(max(older, key=lambda p: p.message_time).members[0], member) if older else "") or "changed"
        else:
            continue
        entry = member.statement.entry
        on = position.changed_on if change is None or position.says in (Says.STOPPED, Says.ON_HOLD) else (
            (change.date_changed or entry.effective_start or position.message_time.date().isoformat())[:10])
        found.append(RecordedChange(on, position.feed, entry.medicine.name, what, position.reason))
    return found
