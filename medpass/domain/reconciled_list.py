"""The reconciled list: one line per medicine, each feed's version side by side, the agreed current version,
the prescriber of record and the last change (what, when, who, why)."""

from __future__ import annotations

from dataclasses import dataclass

from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import StoredIssue
from medpass.domain.lines import Identified, Line, current_in
from medpass.domain.passport import accepted_feeds, agreed_version, prescriber_of_record

_CHANGE_WORDS = {"added": "started", "amended": "changed", "on-hold": "paused", "continued": "continued"}


@dataclass(frozen=True)
class LastChange:
    """The newest change any feed recorded for a medicine."""

    what: str
    when: str
    who: str
    why: str | None


@dataclass(frozen=True)
class ReconciledLine:
    """One medicine across the feeds."""

    name: str
    versions: dict[Feed, Identified | None]
    agreed: Identified | None
    status: str
    prescriber: str
    last_change: LastChange | None
    open_issues: tuple[str, ...]


def _last_change(line: Line) -> LastChange | None:
    """The newest recorded change: a PRSB change summary or a stop, by its date."""
    changes = []
    for member in line.members:
        entry, statement = member.statement.entry, member.statement
        when = statement.message_time.date().isoformat()
        if entry.change is not None and entry.change.status.value != "continued":
            changes.append(LastChange(_CHANGE_WORDS[entry.change.status.value], (entry.change.date_changed or when)[:10],
                                      f"the {statement.feed.label}", entry.change.reason))
        elif statement.is_stopped:
            changes.append(LastChange("paused" if entry.status == "on-hold" else "stopped", (entry.status_changed or when)[:10],
                                      f"the {statement.feed.label}", entry.status_reason))
    return max(changes, key=lambda c: c.when) if changes else None


def reconciled_lines(lines: tuple[Line, ...], issues: tuple[StoredIssue, ...], gp_practice: str) -> list[ReconciledLine]:
    """Every line of the reconciled list; a stop in a newer feed is never re-activated, absence never reads as active."""
    accepted = accepted_feeds(lines, issues)
    open_by_reference: dict[str, list[str]] = {}
    for issue in issues:
        if issue.status.value == "preliminary":
            for reference in issue.implicated:
                open_by_reference.setdefault(reference, []).append(issue.resource_id)
    found = []
    for line in lines:
        agreed = agreed_version(line, accepted)
        versions: dict[Feed, Identified | None] = {}
        for feed in Feed:
            current = current_in(line, feed)
            versions[feed] = current[0] if current else None
        if agreed is None:
            status = "not current"
        elif agreed.statement.is_active:
            status = "active"
        else:
            status = agreed.statement.entry.status if agreed.statement.entry.status != "active" else "stopped"
        issue_ids = dict.fromkeys(i for m in line.members for i in open_by_reference.get(m.statement.reference, []))
        found.append(ReconciledLine(line.name, versions, agreed, status, prescriber_of_record(line, gp_practice),
                                    _last_change(line), tuple(issue_ids)))
    return found
