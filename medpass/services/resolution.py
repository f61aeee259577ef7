"""Resolve a discrepancy: accept one feed's version or record a new one, intentional or not, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from medpass.db import issues
from medpass.domain.errors import InvalidRequest, NotFound, StaleVersion
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import Intent, IssueStatus, StoredIssue


def resolve_discrepancy(
    session: Session,
    issue_id: str,
    *,
    by: str,
    now: datetime,
    expected_version: int | None,
    reason: str,
    intent: str | None = None,
    accept_feed: str | None = None,
    new_version: str | None = None,
    dismiss: bool = False,
) -> StoredIssue:
    """Close an open discrepancy with who, when, why and what was decided (DetectedIssue.mitigation, Provenance).

    If-Match (expected_version) must name the current version. The row is locked while it is checked, so two
    resolutions never both pass the check.
    """
    found = issues.find_issue_for_update(session, issue_id)
    if found is None:
        raise NotFound(f"no discrepancy {issue_id}")
    row, stored = found
    if expected_version is not None and expected_version != stored.version:
        raise StaleVersion(f'If-Match names version {expected_version}; DetectedIssue/{issue_id} is at W/"{stored.version}"')
    choices = sum(bool(x) for x in (accept_feed, new_version, dismiss))
    if choices != 1:
        raise InvalidRequest("say exactly one of: accept a feed's version, record a new version, or dismiss")
    if not reason.strip():
        raise InvalidRequest("a reason is required: say why")
    if not by.strip():
        raise InvalidRequest("say who is recording this")
    if not dismiss and intent not in {i.value for i in Intent}:
        raise InvalidRequest("say whether the difference was intentional or unintentional")
    if accept_feed is not None and accept_feed not in {f.value for f in Feed}:
        raise InvalidRequest(f"unknown feed {accept_feed!r}")
    if stored.status is not IssueStatus.OPEN:
        raise InvalidRequest(f"discrepancy {issue_id} is already {stored.status.name.lower()}")
    details = {k: v for k, v in {"reason": reason.strip(), "intent": intent, "accepted_feed": accept_feed,
                                  "new_version": new_version}.items() if v}
    row.status = (IssueStatus.DISMISSED if dismiss else IssueStatus.RESOLVED).value
    row.resolved_at, row.resolved_by, row.resolution = now, by, details
    issues.record_action(session, row, "dismiss" if dismiss else "resolve", by, now, details)
    session.commit()
    result = issues.find_issue(session, issue_id)
    assert result is not None
    return result[1]
