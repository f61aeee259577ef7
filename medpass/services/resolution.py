"""Record a clinician's decision about a discrepancy (domain/resolutions.py): intent, reason, who and when."""

from __future__ import annotations

from sqlalchemy.orm import Session

from medpass.db import feed_views, issues
from medpass.domain.errors import InvalidRequest, NotFound, StaleVersion
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.lines import Line, identify
from medpass.domain.resolutions import Decision, ResolutionKind
from medpass.reference.dictionary import medicines_dictionary


def _medicines_of(session: Session, issue: StoredIssue) -> list[str]:
    """The medicines (line names) an issue's statements are, in the order implicated."""
    names: dict[str, None] = {}
    for reference in issue.implicated:
        kind, _, identifier = reference.partition("/")
        if kind != "MedicationStatement" or not identifier.isdigit():
            continue
        found = feed_views.statement_by_id(session, int(identifier))
        if found is not None:
            identified = identify(found[1], medicines_dictionary())
            names[Line(identified.key, (identified,)).name] = None
    return list(names)


def _check_target(session: Session, issue: StoredIssue, decision: Decision) -> None:
    """A decision that says what to do with a medicine must be about one: name it when the issue is about several."""
    medicines = _medicines_of(session, issue)
    if decision.medicine is not None:
        if decision.medicine.casefold() not in {m.casefold() for m in medicines}:
            raise InvalidRequest(f"{decision.medicine!r} is not a medicine this discrepancy is about: {', '.join(medicines)}")
    elif decision.kind.sets_the_medicine and len(medicines) > 1:
        raise InvalidRequest(f"this discrepancy is about {' and '.join(medicines)}: say which medicine the decision is about")


def resolve_discrepancy(session: Session, issue_id: str, decision: Decision, *, expected_version: int | None) -> StoredIssue:
    """Close an open discrepancy with the decision (DetectedIssue.mitigation, Provenance); dismissing cancels it.

    If-Match (expected_version) must name the current version. The row is locked while it is checked, so two
    resolutions never both pass the check.
    """
    found = issues.find_issue_for_update(session, issue_id)
    if found is None:
        raise NotFound(f"no discrepancy {issue_id}")
    row, stored = found
    if expected_version is not None and expected_version != stored.version:
        raise StaleVersion(f'If-Match names version {expected_version}; DetectedIssue/{issue_id} is at W/"{stored.version}"')
    if stored.status is not IssueStatus.OPEN:
        raise InvalidRequest(f"discrepancy {issue_id} is already {stored.status.name.lower()}")
    _check_target(session, stored, decision)
    details = decision.details()
    dismissed = decision.kind is ResolutionKind.DISMISS
    row.status = (IssueStatus.DISMISSED if dismissed else IssueStatus.RESOLVED).value
    row.resolved_at, row.resolved_by, row.resolution = decision.at, decision.by, details
    issues.record_action(session, row, "dismiss" if dismissed else "resolve", decision.by, decision.at, details)
    session.commit()
    result = issues.find_issue(session, issue_id)
    assert result is not None
    return result[1]
