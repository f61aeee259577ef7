"""Tasks (change notifications), their versions, Subscriptions and the push outbox: every query and write."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import NotificationRow, SubscriptionRow, TaskRow, TaskVersionRow
from medpass.domain.feeds import Feed
from medpass.domain.subscriptions import StoredSubscription, SubscriptionStatus, parse_criteria
from medpass.domain.tasks import CareTask, Partner, TaskKind, TaskStatus


def as_task(row: TaskRow, version: TaskVersionRow | None = None) -> CareTask:
    """A Task row (or one of its earlier versions) as the domain's CareTask."""
    requester = (Partner(Feed(row.requester_feed), row.requester_ods, Feed(row.requester_feed).heading)
                 if row.requester_feed in {f.value for f in Feed} else None)
    current = version or row
    return CareTask(
        id=row.id, patient_id=row.patient_id,
        requester=requester,
        owner=Partner(Feed(row.owner_feed), row.owner_ods, row.owner_name), kind=TaskKind(row.kind), focus=row.focus,
        medicine=row.medicine, description=row.description, urgent=row.priority == "urgent", status=TaskStatus(current.status),
        status_reason=current.status_reason, note=current.note, authored_on=row.authored_on, due_at=row.due_at,
        last_modified=version.recorded_at if version else row.last_modified, modified_by=current.modified_by,
        version=version.version if version else row.version,
    )


def as_subscription(row: SubscriptionRow) -> StoredSubscription:
    """A Subscription row as the domain's StoredSubscription."""
    return StoredSubscription(
        id=row.id, client_id=row.client_id, criteria=row.criteria, reason=row.reason, endpoint=row.endpoint, payload=row.payload,
        headers=tuple(row.headers), status=SubscriptionStatus(row.status), error=row.error, last_modified=row.last_modified,
        version=row.version,
    )


def task_facts(row: TaskRow) -> dict[str, str]:
    """A Task's values as a Subscription's criteria see them."""
    return {
        "owner": f"Organization/{row.owner_ods}" if row.owner_ods else "",
        "status": row.status,
        "patient": f"Patient/{row.patient_id}",
        "priority": row.priority,
        "code": row.kind,
    }


def _queue_pushes(session: Session, row: TaskRow, now: datetime) -> None:
    """An outbox row for every live Subscription whose criteria the Task (as it is now) meets."""
    facts = task_facts(row)
    for subscription in live_subscriptions(session):
        if parse_criteria(subscription.criteria).matches(facts):
            session.add(NotificationRow(subscription_id=subscription.id, task_id=row.id, task_version=row.version, created_at=now,
                                        attempts=0, next_attempt_at=now))


def _record_version(session: Session, row: TaskRow) -> None:
    """Keep the Task's current version for vread and _history."""
    session.add(TaskVersionRow(task_id=row.id, version=row.version, recorded_at=row.last_modified, status=row.status,
                               status_reason=row.status_reason, note=row.note, modified_by=row.modified_by))


def add_task(session: Session, row: TaskRow, now: datetime) -> bool:
    """Store a new Task (version 1) and queue its pushes; False when this change was already notified."""
    existing = session.scalars(select(TaskRow.id).where(TaskRow.message_id == row.message_id, TaskRow.owner_feed == row.owner_feed,
                                                       TaskRow.change_key == row.change_key)).first()
    if existing is not None:
        return False
    session.add(row)
    session.flush()
    _record_version(session, row)
    _queue_pushes(session, row, now)
    return True


def change_status(session: Session, row: TaskRow, status: str, reason: str | None, note: str | None, by: str, now: datetime) -> None:
    """Move a Task on: a new version, kept, and pushed to its subscribers."""
    row.status, row.status_reason, row.note = status, reason, note
    row.version, row.last_modified, row.modified_by = row.version + 1, now, by
    session.flush()
    _record_version(session, row)
    _queue_pushes(session, row, now)


def find_task(session: Session, task_id: int) -> TaskRow | None:
    """One Task by id."""
    return session.get(TaskRow, task_id)


def find_task_for_update(session: Session, task_id: int) -> TaskRow | None:
    """One Task, locked until the transaction ends (PostgreSQL; SQLite writes one at a time anyway)."""
    return session.get(TaskRow, task_id, with_for_update=True)


def task_versions(session: Session, task_id: int) -> list[TaskVersionRow]:
    """Every version of a Task, newest first."""
    return list(session.scalars(select(TaskVersionRow).where(TaskVersionRow.task_id == task_id).order_by(TaskVersionRow.version.desc())))


def search_tasks(
    session: Session,
    *,
    owner_ods: str | None = None,
    statuses: Iterable[str] = (),
    patient_id: int | None = None,
    kinds: Iterable[str] = (),
    due_before: datetime | None = None,
    limit: int | None = None,
) -> list[TaskRow]:
    """Tasks matching every given filter, oldest first (the order they should be worked)."""
    query = select(TaskRow)
    if owner_ods is not None:
        query = query.where(TaskRow.owner_ods == owner_ods)
    if statuses := list(statuses):
        query = query.where(TaskRow.status.in_(statuses))
    if patient_id is not None:
        query = query.where(TaskRow.patient_id == patient_id)
    if kinds := list(kinds):
        query = query.where(TaskRow.kind.in_(kinds))
    if due_before is not None:
        query = query.where(TaskRow.due_at < due_before)
    query = query.order_by(TaskRow.authored_on, TaskRow.id)
    return list(session.scalars(query.limit(limit) if limit else query))


def live_subscriptions(session: Session) -> list[SubscriptionRow]:
    """Subscriptions that are pushed to (active, or failing and being retried)."""
    live = (SubscriptionStatus.ACTIVE.value, SubscriptionStatus.ERROR.value)
    return list(session.scalars(select(SubscriptionRow).where(SubscriptionRow.deleted.is_(False), SubscriptionRow.status.in_(live))))


def client_subscriptions(session: Session, client_id: int) -> list[SubscriptionRow]:
    """A client's own Subscriptions that are not deleted."""
    return list(session.scalars(select(SubscriptionRow).where(SubscriptionRow.client_id == client_id, SubscriptionRow.deleted.is_(False))
                                .order_by(SubscriptionRow.id)))


def claim_due(session: Session, now: datetime, limit: int) -> list[tuple[NotificationRow, SubscriptionRow, TaskRow]]:
    """Lock the due pushes (PostgreSQL: FOR UPDATE SKIP LOCKED, so two dispatchers never take the same one)."""
    query = (
        select(NotificationRow, SubscriptionRow, TaskRow)
        .join(SubscriptionRow, SubscriptionRow.id == NotificationRow.subscription_id)
        .join(TaskRow, TaskRow.id == NotificationRow.task_id)
        .where(NotificationRow.delivered_at.is_(None), NotificationRow.next_attempt_at <= now, SubscriptionRow.deleted.is_(False))
        .order_by(NotificationRow.next_attempt_at, NotificationRow.id)
        .limit(limit)
        .with_for_update(of=NotificationRow, skip_locked=True)
    )
    return [(n, s, t) for n, s, t in session.execute(query).tuples()]

