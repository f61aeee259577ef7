"""The reconciled list, in the clinician's words: one line per medicine, each feed's version side by side, the agreed
state and what it means (product, dose and frequency, who prescribes, who monitors), and the last change."""

from __future__ import annotations

from dataclasses import dataclass

from medpass.domain.agreement import AgreedState, LineAgreement, Position, Says
from medpass.domain.change_words import recorded_changes
from medpass.domain.dates import long_date
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import IssueStatus
from medpass.domain.lines import Identified, current_in


@dataclass(frozen=True)
class LastChange:
    """The newest change any feed recorded for a medicine."""

    what: str
    when: str
    who: str
    why: str | None


@dataclass(frozen=True)
class ReconciledLine:
    """One medicine across the feeds, and what is agreed about it."""

    name: str
    versions: dict[Feed, Identified | None]
    agreement: LineAgreement
    agreed_now: str
    prescriber: str
    monitor: str | None
    last_change: LastChange | None
    open_issues: tuple[str, ...]

    @property
    def state(self) -> AgreedState:
        """The agreed state."""
        return self.agreement.state

    @property
    def agreed(self) -> Identified | None:
        """The feed statement the agreed (or last) version comes from, if any."""
        return self.agreement.version.source if self.agreement.version else None


def organisation(feed: Feed | None, gp_practice: str) -> str:
    """A partner as a clinician names it: 'GP practice (Testbed Lane Surgery)', 'mental-health trust'."""
    if feed is Feed.GP:
        return f"GP practice ({gp_practice})"
    return feed.label if feed is not None else "another organisation"


def _position_words(position: Position) -> str:
    """'GP practice: Naproxen 500mg tablets, 500mg twice a day (list of 18 February 2026)'."""
    when = long_date(position.message_time)
    if position.says is Says.TAKES:
        entry = position.members[0].statement.entry
        texts = "; ".join(dict.fromkeys(m.statement.entry.dosage_text or "no dosage" for m in position.members))
        return f"{position.feed.label}: {entry.medicine.name}, {texts} (list of {when})"
    if position.says is Says.LEAVES_OFF:
        return f"{position.feed.label}: not on its list of {when}"
    verb = {Says.STOPPED: "stopped", Says.ON_HOLD: "on hold", Says.FINISHED: "course finished"}[position.says]
    because = f": {position.reason}" if position.reason else " (no reason recorded)"
    return f"{position.feed.label}: {verb} {long_date(position.changed_on)}{because}"


def agreed_now(agreement: LineAgreement) -> str:
    """What is agreed now, for a clinician: the version to take with who settled it, or why nothing is."""
    version, decision, deciding = agreement.version, agreement.decision, agreement.deciding
    settled = (f" (decided by {decision.by} on {long_date(decision.at)}, {decision.intent.value if decision.intent else 'no intent'}: "
               f"{decision.reason})") if decision else ""
    taken = f"{version.product}: {version.how_to_take or 'no dosage given'}" if version else ""
    if agreement.state is AgreedState.AGREED:
        return f"Agreed: {taken}{settled}"
    if agreement.state is AgreedState.CHANGED and deciding is not None:
        verb = "Started" if deciding.started_here else "Changed"
        changes = "; ".join(c.what for c in recorded_changes(agreement) if c.feed is deciding.feed and c.what != "started")
        return (f"{verb} on {long_date(deciding.changed_on)} by the {deciding.feed.label} ({deciding.reason}): {taken}"
                + (f" [{changes}]" if changes else ""))
    if agreement.state is AgreedState.NOT_AGREED:
        return "Not agreed: " + "; ".join(_position_words(p) for p in agreement.positions)
    labels = {AgreedState.ON_HOLD: "On hold", AgreedState.STOPPED: "Stopped", AgreedState.COURSE_FINISHED: "Course finished"}
    label = labels[agreement.state]
    if decision is not None:
        return f"{label}{settled}"
    if deciding is None:
        return label
    because = f" ({deciding.reason})" if deciding.reason else " (no reason recorded)"
    return f"{label} since {long_date(deciding.changed_on)} by the {deciding.feed.label}{because}"


def _last_change(agreement: LineAgreement) -> LastChange | None:
    """The newest recorded change, said as a change."""
    changes = recorded_changes(agreement)
    if not changes:
        return None
    newest = max(changes, key=lambda c: c.on)
    return LastChange(newest.what, long_date(newest.on), f"the {newest.feed.label}", newest.reason)


def reconciled_lines(agreements: tuple[LineAgreement, ...], gp_practice: str) -> list[ReconciledLine]:
    """Every line of the reconciled list from the agreed states; absence never reads as active."""
    found = []
    for agreement in agreements:
        line = agreement.line
        versions: dict[Feed, Identified | None] = {}
        for feed in Feed:
            current = current_in(line, feed) or line.in_feed(feed)
            versions[feed] = current[0] if current else None
        version = agreement.version
        open_ids = tuple(dict.fromkeys(i.resource_id for i in agreement.open_issues if i.status is IssueStatus.OPEN))
        found.append(ReconciledLine(line.name, versions, agreement, agreed_now(agreement),
                                    organisation(version.prescriber if version else None, gp_practice),
                                    organisation(version.monitor, gp_practice) if version and version.monitor else None,
                                    _last_change(agreement), open_ids))
    return found
