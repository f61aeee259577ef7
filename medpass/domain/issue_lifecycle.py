"""How a discrepancy lives across re-ingests: a resolution survives the same data and reopens when it changes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from medpass.domain.discrepancies import Discrepancy
from medpass.domain.lines import FeedStatement


class IssueStatus(StrEnum):
    """DetectedIssue.status as medpass uses it: open, resolved by a clinician, or dismissed."""

    OPEN = "preliminary"
    RESOLVED = "final"
    DISMISSED = "cancelled"


def fingerprint(discrepancy: Discrepancy, statements: dict[str, FeedStatement]) -> str:
    """What the discrepancy is about, by content: the same data re-sent gives the same fingerprint."""
    parts = []
    for reference in discrepancy.implicated:
        statement = statements.get(reference)
        if statement is None:
            continue
        entry = statement.entry
        change = entry.change
        parts.append([
            statement.feed.value, entry.medicine.name, entry.status, entry.dosage_text, entry.status_reason,
            change.status.value if change else None, change.reason if change else None,
            [c.code for c in entry.medicine.codings],
        ])
    parts.sort(key=json.dumps)
    return hashlib.sha256(json.dumps([discrepancy.detail, parts], sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class NextState:
    """What becomes of a stored issue after a reconciliation."""

    status: IssueStatus
    current: bool
    reopened: bool


def next_state(previous_status: IssueStatus | None, previous_fingerprint: str | None, found_fingerprint: str | None) -> NextState:
    """Open when new; keep a resolution while the data is the same; reopen it when the feeds change.

    An issue the feeds no longer show stops being current but keeps its status and history.
    """
    if found_fingerprint is None:
        return NextState(previous_status or IssueStatus.OPEN, current=False, reopened=False)
    if previous_status is None:
        return NextState(IssueStatus.OPEN, current=True, reopened=False)
    if previous_status is not IssueStatus.OPEN and previous_fingerprint != found_fingerprint:
        return NextState(IssueStatus.OPEN, current=True, reopened=True)
    return NextState(previous_status, current=True, reopened=False)


def issue_resource_id(patient_id: int, key: str) -> str:
    """A stable DetectedIssue id: the same discrepancy for the same patient keeps its id for ever."""
    return hashlib.sha256(f"{patient_id}|{key}".encode()).hexdigest()[:32]


class Intent(StrEnum):
    """What a clinician says a difference was (DOMAIN.md §3: only a clinician can say)."""

    INTENTIONAL = "intentional"
    UNINTENTIONAL = "unintentional"


@dataclass(frozen=True)
class IssueAction:
    """One thing done to a discrepancy: resolved, dismissed or reopened; by whom, when, and why."""

    action: str
    recorded_at: datetime
    recorded_by: str
    details: dict[str, str]


@dataclass(frozen=True)
class StoredIssue:
    """A discrepancy as medpass keeps it: what was found, its status, and what was done about it."""

    resource_id: str
    patient_id: int
    code: str
    severity: str
    medicine: str
    detail: str
    documented: bool
    implicated: tuple[str, ...]
    status: IssueStatus
    current: bool
    first_found_at: datetime
    last_found_at: datetime
    actions: tuple[IssueAction, ...] = ()

    @property
    def version(self) -> int:
        """The DetectedIssue's version (meta.versionId, ETag, If-Match): 1, plus one for every resolve, dismiss or reopen."""
        return 1 + len(self.actions)

    @property
    def resolution(self) -> IssueAction | None:
        """The latest resolve or dismiss, if the issue is closed."""
        if self.status is IssueStatus.OPEN:
            return None
        closing = [a for a in self.actions if a.action in ("resolve", "dismiss")]
        return closing[-1] if closing else None
