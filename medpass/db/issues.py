"""Stored discrepancies and what was done about them: every query and write about DetectedIssues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from medpass.db.rows import DetectedIssueRow, ResolutionRow
from medpass.domain.discrepancies import Discrepancy
from medpass.domain.issue_lifecycle import IssueAction, IssueStatus, StoredIssue, issue_resource_id, next_state


def _stored(row: DetectedIssueRow, actions: list[ResolutionRow]) -> StoredIssue:
    """A row and its actions as the domain's StoredIssue."""
    return StoredIssue(
        resource_id=row.resource_id, patient_id=row.patient_id, code=row.code, severity=row.severity, medicine=row.medicine,
        detail=row.detail, documented=row.documented, implicated=tuple(row.implicated), status=IssueStatus(row.status),
        current=row.current, first_found_at=row.first_found_at, last_found_at=row.last_found_at,
        actions=tuple(IssueAction(a.action, a.recorded_at, a.recorded_by, dict(a.details)) for a in actions),
    )


def _actions_by_issue(session: Session, issue_ids: list[int]) -> dict[int, list[ResolutionRow]]:
    """Every action on the given issues, oldest first."""
    found: dict[int, list[ResolutionRow]] = {}
    if issue_ids:
        rows = session.scalars(select(ResolutionRow).where(ResolutionRow.issue_id.in_(issue_ids)).order_by(ResolutionRow.id))
        for row in rows:
            found.setdefault(row.issue_id, []).append(row)
    return found


def patient_issues(session: Session, patient_id: int, *, current_only: bool = True) -> list[StoredIssue]:
    """A patient's discrepancies (by default only those the feeds still show), in the order they were stored."""
    query = select(DetectedIssueRow).where(DetectedIssueRow.patient_id == patient_id)
    if current_only:
        query = query.where(DetectedIssueRow.current.is_(True))
    rows = list(session.scalars(query.order_by(DetectedIssueRow.id)))
    actions = _actions_by_issue(session, [r.id for r in rows])
    return [_stored(row, actions.get(row.id, [])) for row in rows]


def _one_issue(session: Session, query: Select[tuple[DetectedIssueRow]]) -> tuple[DetectedIssueRow, StoredIssue] | None:
    """The discrepancy a query finds, with its actions."""
    row = session.scalars(query).one_or_none()
    if row is None:
        return None
    return row, _stored(row, _actions_by_issue(session, [row.id]).get(row.id, []))


def find_issue(session: Session, resource_id: str) -> tuple[DetectedIssueRow, StoredIssue] | None:
    """One discrepancy by its DetectedIssue id."""
    return _one_issue(session, select(DetectedIssueRow).where(DetectedIssueRow.resource_id == resource_id))


def find_issue_for_update(session: Session, resource_id: str) -> tuple[DetectedIssueRow, StoredIssue] | None:
    """One discrepancy, locked until the transaction ends and read afresh (PostgreSQL; SQLite writes one at a time anyway)."""
    query = select(DetectedIssueRow).where(DetectedIssueRow.resource_id == resource_id).with_for_update()
    return _one_issue(session, query.execution_options(populate_existing=True))


def record_action(session: Session, row: DetectedIssueRow, action: str, by: str, at: datetime, details: dict[str, Any]) -> None:
    """Add one action to an issue's history."""
    session.add(ResolutionRow(issue_id=row.id, patient_id=row.patient_id, action=action, recorded_at=at, recorded_by=by, details=details))


def save_found(session: Session, patient_id: int, found: list[tuple[Discrepancy, str]], now: datetime) -> list[DetectedIssueRow]:
    """Store a reconciliation's discrepancies (with their fingerprints) against what was stored before.

    Only what changed is written (last_found_at is when the finding last changed), so reconciling a patient
    whose feeds said nothing new writes nothing.

    Returns the ones this reconciliation opened: new, back after the feeds had stopped showing them, or reopened.
    """
    rows = {row.issue_key: row for row in session.scalars(select(DetectedIssueRow).where(DetectedIssueRow.patient_id == patient_id))}
    seen: set[str] = set()
    opened: list[DetectedIssueRow] = []
    for discrepancy, found_fingerprint in found:
        seen.add(discrepancy.key)
        row = rows.get(discrepancy.key)
        state = next_state(IssueStatus(row.status) if row else None, row.fingerprint if row else None, found_fingerprint)
        if row is not None and (not row.current or state.reopened):
            opened.append(row)
        if row is None:
            row = DetectedIssueRow(patient_id=patient_id, issue_key=discrepancy.key,
                                   resource_id=issue_resource_id(patient_id, discrepancy.key), first_found_at=now)
            session.add(row)
            opened.append(row)
        values = {"code": discrepancy.code.value, "severity": discrepancy.harm.value, "medicine": discrepancy.medicine,
                  "detail": discrepancy.detail, "documented": discrepancy.documented, "implicated": list(discrepancy.implicated),
                  "fingerprint": found_fingerprint, "status": state.status.value, "current": True}
        changed = {name: value for name, value in values.items() if getattr(row, name, None) != value}
        if changed:  # an unchanged finding is not written again: reading a patient stays a read
            for name, value in changed.items():
                setattr(row, name, value)
            row.last_found_at = now
        if state.reopened:
            session.flush()
            record_action(session, row, "reopen", "medpass", now, {"reason": "the feeds changed since it was resolved"})
    for key, row in rows.items():
        if key not in seen and row.current:
            row.current = False
    return opened
