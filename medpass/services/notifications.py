"""Tell the other care partners: a Task for each partner when a message changes medicines or opens a high-severity issue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from medpass.db import tasks
from medpass.db.rows import DetectedIssueRow, PatientRow, TaskRow
from medpass.domain.changes import MedicationChange, medication_changes
from medpass.domain.discrepancies import Harm
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList
from medpass.domain.tasks import CareNetwork, Partner, TaskKind, TaskStatus
from medpass.reference.dictionary import medicines_dictionary
from medpass.services.patient_messages import tell_patient


def _feed_list(lists: list[FeedList], feed: Feed) -> FeedList | None:
    """One feed's current list, if it has sent one."""
    return next((feed_list for feed_list in lists if feed_list.feed is feed), None)


def _task(patient: PatientRow, message_id: int, sender: Partner, partner: Partner, now: datetime, network: CareNetwork, *,
          kind: TaskKind, key: str, focus: str, medicine: str, description: str, urgent: bool) -> TaskRow:
    """A new, requested Task for one partner."""
    return TaskRow(
        patient_id=patient.id, message_id=message_id, requester_feed=sender.feed.value, requester_ods=sender.ods_code,
        owner_feed=partner.feed.value, owner_ods=partner.ods_code, owner_name=partner.name, kind=kind.value, change_key=key,
        focus=focus, medicine=medicine, description=description, priority="urgent" if urgent else "routine",
        status=TaskStatus.REQUESTED.value, authored_on=now, due_at=network.windows.due(now, urgent), last_modified=now,
        modified_by="medpass", version=1,
    )


def notify_partners(
    session: Session,
    patient: PatientRow,
    feed: Feed,
    message_id: int,
    before: list[FeedList],
    after: list[FeedList],
    opened: list[DetectedIssueRow],
    network: CareNetwork,
    now: datetime,
    public_base_url: str | None,
) -> int:
    """Create the Tasks one accepted message calls for (the caller commits with the message); how many were made."""
    partners = network.partners(patient.gp_practice_ods, patient.gp_practice_name)
    sender = next(p for p in partners if p.feed is feed)
    to_tell = network.to_tell(feed, patient.gp_practice_ods, patient.gp_practice_name)
    current = _feed_list(after, feed)
    changes: list[MedicationChange] = medication_changes(_feed_list(before, feed), current, medicines_dictionary()) if current else []
    made = 0
    for change in changes:
        for partner in to_tell:
            made += tasks.add_task(session, _task(
                patient, message_id, sender, partner, now, network, kind=TaskKind(change.kind.value),
                key=f"{change.kind.value}|{change.key}", focus=change.focus, medicine=change.medicine,
                description=change.description, urgent=change.high_risk), now)
    tell_patient(session, patient, message_id, changes, opened, now, public_base_url)
    for issue in opened:
        if issue.severity != Harm.HIGH.value:
            continue
        description = f"A high-severity discrepancy was found after the {feed.label}'s update: {issue.detail}"
        for partner in to_tell:
            made += tasks.add_task(session, _task(
                patient, message_id, sender, partner, now, network, kind=TaskKind.DISCREPANCY, key=f"issue|{issue.resource_id}",
                focus=f"DetectedIssue/{issue.resource_id}", medicine=issue.medicine, description=description, urgent=True), now)
    return made
