"""What one feed message changed about a patient's medicines, as that feed sees them (issue 4, notifications).

A feed's new current list is compared with its previous current list, medicine by medicine, matched as the
reconciliation matches them (DOMAIN.md §3: the same ingredient set, or the exact name for a medicine the
dictionary does not know). When the feed has no earlier list, only what the message itself says changed (a
discharge summary's PRSB change status, its Discontinued list) counts: a first list is not "everything started".
A list that says current medicines are not known changes nothing: unknown is never read as "all stopped".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from medpass.domain.change_words import describe_change
from medpass.domain.dictionary import MedicineDictionary
from medpass.domain.discrepancies import HIGH_HARM_CLASSES
from medpass.domain.dosing import daily_dose_mg, daily_times
from medpass.domain.feeds import Feed
from medpass.domain.lines import IGNORED_STATUSES, FeedList, FeedStatement, Identified, identify
from medpass.domain.medications import ChangeStatus, ListKind


class ChangeKind(StrEnum):
    """What happened to a medicine in one feed (a hold is a pause, never a stop: PRSB change status On-hold)."""

    STARTED = "started"
    PAUSED = "paused"
    STOPPED = "stopped"
    CHANGED = "changed"


@dataclass(frozen=True)
class MedicationChange:
    """One medicine a feed started, stopped or changed, with the statement that says so."""

    kind: ChangeKind
    feed: Feed
    medicine: str
    key: str
    focus: str
    detail: str
    high_risk: bool = False

    @property
    def description(self) -> str:
        """One plain-English sentence for the care partners who were not told."""
        return f"The {self.feed.label} {self.kind.value} {self.medicine}: {self.detail}"


def _how_taken(statement: FeedStatement) -> str:
    """The dosage as the sender wrote it, or that it was not given."""
    return statement.entry.dosage_text or "no dosage given"


def _version(statement: FeedStatement) -> str:
    """The product and how it is taken: '<name>, <dosage>'."""
    return f"{statement.entry.medicine.name}, {_how_taken(statement)}"


def _reason(statement: FeedStatement) -> str:
    """The recorded reason, or that none was recorded."""
    entry = statement.entry
    reason = (entry.change.reason if entry.change else None) or entry.status_reason
    return f" Reason recorded: {reason}." if reason else " No reason was recorded."


def _signature(member: Identified) -> tuple[object, ...]:
    """What makes two versions of one medicine the same prescription: product, daily dose, times, route, text."""
    entry = member.statement.entry
    strength: Decimal | None = member.product.strength_mg if member.product else None
    route = entry.dosages[0].route.code if entry.dosages and entry.dosages[0].route else None
    dose, times = daily_dose_mg(entry.dosages, strength), daily_times(entry.dosages)
    product = member.product.dmd_id if member.product else entry.medicine.name.casefold()
    if dose is None and times is None:
        return product, route, (entry.dosage_text or "").casefold()
    return product, route, dose, times


def _by_key(feed_list: FeedList | None, dictionary: MedicineDictionary) -> dict[str, list[Identified]]:
    """A known list's statements grouped by matching key (entered-in-error never happened)."""
    found: dict[str, list[Identified]] = {}
    if feed_list is None or not feed_list.known:
        return found
    for statement in feed_list.statements:
        if statement.entry.status not in IGNORED_STATUSES:
            identified = identify(statement, dictionary)
            found.setdefault("|".join(identified.key), []).append(identified)
    return found


def _name(members: list[Identified]) -> str:
    """The medicine as the feed named it."""
    return members[0].statement.entry.medicine.name


def _halt(statement: FeedStatement) -> ChangeKind:
    """Paused (status on-hold, or the discharge's change status On-hold) or stopped."""
    entry = statement.entry
    paused = entry.status == "on-hold" or (entry.change is not None and entry.change.status is ChangeStatus.ON_HOLD)
    return ChangeKind.PAUSED if paused and entry.list_kind is not ListKind.DISCONTINUED else ChangeKind.STOPPED


def _halt_words(statement: FeedStatement) -> str:
    """'on hold, not to be taken until it is restarted.', 'in the discontinued medicines list.' or 'listed as stopped.'"""
    if _halt(statement) is ChangeKind.PAUSED:
        return "on hold, not to be taken until it is restarted."
    return "in the discontinued medicines list." if statement.entry.list_kind is ListKind.DISCONTINUED else "listed as stopped."


def _declared(key: str, members: list[Identified], feed: Feed) -> MedicationChange | None:
    """A change the message itself declares (discharge change summary, Discontinued list), for a feed's first list."""
    still_taken = any(m.statement.is_active for m in members)
    for member in members:
        statement = member.statement
        change = statement.entry.change
        if statement.is_stopped and not still_taken:
            return MedicationChange(_halt(statement), feed, _name(members), key, statement.reference,
                                    _halt_words(statement) + _reason(statement))
        if change is not None and change.status is ChangeStatus.ADDED:
            return MedicationChange(ChangeKind.STARTED, feed, _name(members), key, statement.reference,
                                    f"{_how_taken(statement)}." + _reason(statement))
        if change is not None and change.status is ChangeStatus.AMENDED:
            details = f" {change.details}." if change.details else ""
            return MedicationChange(ChangeKind.CHANGED, feed, _name(members), key, statement.reference,
                                    f"now {_how_taken(statement)}.{details}" + _reason(statement))
    return None


def medication_changes(previous: FeedList | None, current: FeedList, dictionary: MedicineDictionary) -> list[MedicationChange]:
    """Every medicine `current` started, stopped or changed against the same feed's `previous` list.

    A change to a brand-critical or high-risk mental-health medicine (the reconciliation's high-harm classes,
    DOMAIN.md §3) is marked high risk: its partners are given the urgent acknowledgement window.
    """
    risky = {"|".join(m.key) for feed_list in (previous, current) if feed_list for s in feed_list.statements
             if (m := identify(s, dictionary)).product and (m.product.brand_critical or m.classes & HIGH_HARM_CLASSES)}
    return [replace(c, high_risk=c.key in risky) for c in _changes(previous, current, dictionary)]


def _changes(previous: FeedList | None, current: FeedList, dictionary: MedicineDictionary) -> list[MedicationChange]:
    """The changes, before their risk is marked."""
    if not current.known:
        return []
    feed, now_by_key = current.feed, _by_key(current, dictionary)
    if previous is None or not previous.known:
        return [c for key, members in sorted(now_by_key.items()) if (c := _declared(key, members, feed)) is not None]
    before_by_key = _by_key(previous, dictionary)
    changes: list[MedicationChange] = []
    for key in sorted(set(now_by_key) | set(before_by_key)):
        now_active = [m for m in now_by_key.get(key, []) if m.statement.is_active]
        before_active = [m for m in before_by_key.get(key, []) if m.statement.is_active]
        if now_active and not before_active:
            first = now_active[0].statement
            changes.append(MedicationChange(ChangeKind.STARTED, feed, _name(now_active), key, first.reference,
                                            f"{_how_taken(first)}." + _reason(first)))
        elif before_active and not now_active:
            stopped = [m for m in now_by_key.get(key, []) if m.statement.is_stopped]
            if stopped:
                statement = stopped[0].statement
                kind = _halt(statement)
                detail = f"was {_how_taken(before_active[0].statement)}; now {_halt_words(statement)}" + _reason(statement)
            else:
                statement, kind = before_active[0].statement, ChangeKind.STOPPED
                detail = f"was {_how_taken(statement)}; it is no longer on their list."
            changes.append(MedicationChange(kind, feed, _name(before_active), key, statement.reference, detail))
        elif now_active and sorted(map(repr, map(_signature, now_active))) != sorted(map(repr, map(_signature, before_active))):
            first = now_active[0].statement
            said = describe_change(before_active[0], now_active[0]) if len(now_active) == len(before_active) == 1 else ""
            was = "; ".join(_version(m.statement) for m in before_active)
            now = "; ".join(_version(m.statement) for m in now_active)
            detail = f"{said} (was {was}; now {now})." if said else f"was {was}; now {now}."
            changes.append(MedicationChange(ChangeKind.CHANGED, feed, _name(now_active), key, first.reference, detail + _reason(first)))
    return changes
