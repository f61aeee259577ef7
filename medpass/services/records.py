"""The feeds' other records for the API: MedicationRequests, AllergyIntolerances, and the Provenance of resolutions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from medpass.db import feed_views, issues
from medpass.domain.allergies import FeedAllergy
from medpass.domain.errors import InvalidRequest, NotFound
from medpass.domain.issue_lifecycle import IssueAction, StoredIssue
from medpass.domain.lines import FeedStatement
from medpass.services.patients import patient_by_id
from medpass.services.statement_reads import current_statements, find_statement


def _is_request(statement: FeedStatement) -> bool:
    """The feed sent it as a MedicationRequest."""
    return statement.entry.source_type == "MedicationRequest"


def find_request(session: Session, request_id: int) -> tuple[int, FeedStatement]:
    """A feed's MedicationRequest by id (a statement sent as a MedicationStatement is not one), or NotFound."""
    try:
        patient_id, statement = find_statement(session, request_id)
    except NotFound:
        raise NotFound(f"MedicationRequest/{request_id} is not known") from None
    if not _is_request(statement):
        raise NotFound(f"MedicationRequest/{request_id} is not known (MedicationStatement/{request_id} is)")
    return patient_id, statement


def current_requests(session: Session, patient_id: int) -> list[FeedStatement]:
    """The MedicationRequests in each feed's current message about a patient."""
    _, statements = current_statements(session, patient_id)
    return [s for s in statements if _is_request(s)]


def current_allergies(session: Session, patient_id: int) -> list[FeedAllergy]:
    """The allergies in each feed's current message about a patient."""
    patient_by_id(session, patient_id)
    return feed_views.current_allergies(session, patient_id)


def find_allergy(session: Session, allergy_id: int) -> tuple[int, FeedAllergy]:
    """One stored allergy and its patient, or NotFound."""
    found = feed_views.allergy_by_id(session, allergy_id)
    if found is None:
        raise NotFound(f"AllergyIntolerance/{allergy_id} is not known")
    return found


def provenances(session: Session, patient_id: int, target: str | None = None) -> list[tuple[StoredIssue, IssueAction, int]]:
    """Every action on a patient's discrepancies (resolve, dismiss, reopen), optionally for one DetectedIssue."""
    patient_by_id(session, patient_id)
    found = []
    for issue in issues.patient_issues(session, patient_id, current_only=False):
        if target is None or target == issue.resource_id:
            found += [(issue, action, index) for index, action in enumerate(issue.actions)]
    return found


def issue_provenances(session: Session, issue_id: str) -> list[tuple[StoredIssue, IssueAction, int]]:
    """Every action on one DetectedIssue (empty when there is no such issue)."""
    found = issues.find_issue(session, issue_id)
    return [] if found is None else [(found[1], action, index) for index, action in enumerate(found[1].actions)]


def provenance_of(session: Session, provenance_id: str) -> tuple[StoredIssue, IssueAction, int]:
    """One Provenance, `<DetectedIssue id>-<n>`: the n-th action on that discrepancy."""
    issue_id, _, number = provenance_id.rpartition("-")
    if not (number.isascii() and number.isdigit()) or not issue_id:
        raise NotFound(f"Provenance/{provenance_id} is not known")
    found = issues.find_issue(session, issue_id)
    if found is None or int(number) >= len(found[1].actions):
        raise NotFound(f"Provenance/{provenance_id} is not known")
    issue = found[1]
    return issue, issue.actions[int(number)], int(number)


def target_issue(target: str) -> str:
    """The DetectedIssue id of a Provenance?target=DetectedIssue/<id>, or InvalidRequest."""
    if not target.startswith("DetectedIssue/") or not target.removeprefix("DetectedIssue/"):
        raise InvalidRequest("search Provenance by target=DetectedIssue/<id> (medpass records the provenance of resolutions)")
    return target.removeprefix("DetectedIssue/")
