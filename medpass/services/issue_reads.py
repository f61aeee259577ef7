"""Read stored discrepancies by their DetectedIssue id."""

from __future__ import annotations

from sqlalchemy.orm import Session

from medpass.db import issues
from medpass.domain.errors import NotFound
from medpass.domain.issue_lifecycle import StoredIssue


def find_detected_issue(session: Session, issue_id: str) -> StoredIssue:
    """One discrepancy, or NotFound."""
    found = issues.find_issue(session, issue_id)
    if found is None:
        raise NotFound(f"DetectedIssue/{issue_id} is not known")
    return found[1]
