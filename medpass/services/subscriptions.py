"""rest-hook Subscriptions: register, read, delete, and push what is owed (retried with backoff, never dropped)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from medpass.db import tasks
from medpass.db.rows import NotificationRow, SubscriptionRow
from medpass.domain.errors import Gone, NotFound
from medpass.domain.subscriptions import StoredSubscription, SubscriptionStatus, next_attempt
from medpass.fhir.build_task import task_resource
from medpass.fhir.read_task import SubscriptionRequest
from medpass.push.rest_hook import Push, PushFailed
from medpass.services.storage import storage_errors

#: Sends one Push or raises PushFailed (medpass.push.rest_hook.send with a timeout, in production).
Sender = Callable[[Push], object]


def create_subscription(
    session: Session, client_id: int, asked: SubscriptionRequest, requested_status: str, now: datetime
) -> StoredSubscription:
    """Store a client's Subscription: active at once (or off, if the client sent it off)."""
    status = SubscriptionStatus.OFF if requested_status == SubscriptionStatus.OFF.value else SubscriptionStatus.ACTIVE
    row = SubscriptionRow(client_id=client_id, criteria=asked.criteria, reason=asked.reason, endpoint=asked.endpoint,
                          payload=asked.payload, headers=list(asked.headers), status=status.value, error=None, created_at=now,
                          last_modified=now, version=1, deleted=False)
    with storage_errors(session):
        session.add(row)
        session.commit()
    return tasks.as_subscription(row)


def _own(session: Session, subscription_id: int, client_id: int) -> SubscriptionRow:
    """A client's own Subscription: 404 when unknown or another client's, 410 when deleted."""
    row = session.get(SubscriptionRow, subscription_id)
    if row is None or row.client_id != client_id:
        raise NotFound(f"Subscription/{subscription_id} is not known")
    if row.deleted:
        raise Gone(f"Subscription/{subscription_id} was deleted")
    return row


def find_subscription(session: Session, subscription_id: int, client_id: int) -> StoredSubscription:
    """Read one of the client's Subscriptions."""
    return tasks.as_subscription(_own(session, subscription_id, client_id))


def client_subscriptions(session: Session, client_id: int) -> list[StoredSubscription]:
    """The client's Subscriptions that are not deleted."""
    return [tasks.as_subscription(row) for row in tasks.client_subscriptions(session, client_id)]


def delete_subscription(session: Session, subscription_id: int, client_id: int, now: datetime) -> None:
    """Stop pushing to a Subscription; it is kept so a later read says 410 Gone."""
    with storage_errors(session):
        row = _own(session, subscription_id, client_id)
        row.deleted, row.status, row.last_modified, row.version = True, SubscriptionStatus.OFF.value, now, row.version + 1
        session.commit()


@dataclass(frozen=True)
class DeliveryReport:
    """One pass of the pusher: how many were delivered, how many failed (and will be retried), how many superseded."""

    delivered: int
    failed: int
    superseded: int


def _push_for(subscription: SubscriptionRow, resource: dict[str, object]) -> Push:
    """The R4 rest-hook request: with a payload, PUT [endpoint]/Task/[id]; without, an empty POST to the endpoint."""
    headers = tuple((name.strip(), value.strip()) for name, _, value in (h.partition(":") for h in subscription.headers))
    if subscription.payload:
        url = f"{subscription.endpoint.rstrip('/')}/Task/{resource['id']}"
        return Push("PUT", url, (("Content-Type", subscription.payload), *headers), json.dumps(resource).encode())
    return Push("POST", subscription.endpoint, headers, None)


#: How long a claimed push is held by the pusher that claimed it; after a crash it becomes due again then.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class _Claim:
    """A push this pass owns: which outbox row, for which Subscription, and the request to make."""

    notification_id: int
    subscription_id: int
    push: Push


def _claim(session: Session, now: datetime, limit: int) -> tuple[list[_Claim], int]:
    """Take the due pushes under a lease, in one short transaction; older versions of a Task are superseded."""
    claimed = tasks.claim_due(session, now, limit)
    newest: dict[tuple[int, int], int] = {}
    for notification, _, _ in claimed:
        key = (notification.subscription_id, notification.task_id)
        newest[key] = max(newest.get(key, 0), notification.task_version)
    claims, superseded = [], 0
    for notification, subscription, task in claimed:
        if notification.task_version < newest[(notification.subscription_id, notification.task_id)]:
            notification.delivered_at, notification.last_error = now, "superseded by a newer version of the Task"
            superseded += 1
            continue
        notification.next_attempt_at = now + LEASE
        claims.append(_Claim(notification.id, subscription.id, _push_for(subscription, task_resource(tasks.as_task(task), now))))
    session.commit()
    return claims, superseded


def _record(session: Session, claims: list[_Claim], outcomes: dict[int, str | None], now: datetime) -> None:
    """Write down what each push did: delivered, failed (retry with backoff), or not tried (its endpoint just failed)."""
    failed_at: dict[int, datetime] = {}
    for claim in claims:
        notification = session.get_one(NotificationRow, claim.notification_id)
        subscription = session.get_one(SubscriptionRow, claim.subscription_id)
        if claim.notification_id not in outcomes:
            continue  # waits with the push that failed (set below, once that one's next attempt is known)
        notification.attempts += 1
        error = outcomes[claim.notification_id]
        if error is None:
            notification.delivered_at, notification.last_error = now, None
            if subscription.status == SubscriptionStatus.ERROR.value:
                subscription.status, subscription.error = SubscriptionStatus.ACTIVE.value, None
            continue
        notification.last_error, notification.next_attempt_at = error, next_attempt(notification.attempts, now)
        subscription.status, subscription.error = SubscriptionStatus.ERROR.value, f"{now:%Y-%m-%dT%H:%M:%SZ}: {error}"
        failed_at[subscription.id] = notification.next_attempt_at
    for claim in claims:
        if claim.notification_id not in outcomes:
            session.get_one(NotificationRow, claim.notification_id).next_attempt_at = failed_at[claim.subscription_id]
    session.commit()


def deliver_due(session: Session, now: datetime, send: Sender, limit: int = 100) -> DeliveryReport:
    """Push every due notification once (at least once: a receiver may see a repeat after a crash; PUT is idempotent).

    Three steps, so no transaction is open while a subscriber's endpoint is called: claim the due pushes under a
    lease (PostgreSQL: FOR UPDATE SKIP LOCKED, so several pushers never take the same one) and commit; push;
    record each outcome. A failed push is retried later with backoff and the Subscription shows `error` until
    one succeeds; the rest of a failing endpoint's pushes wait with it rather than time out again.
    """
    with storage_errors(session):
        try:
            claims, superseded = _claim(session, now, limit)
        except BaseException:
            session.rollback()
            raise
    outcomes: dict[int, str | None] = {}
    failing: set[int] = set()
    for claim in claims:
        if claim.subscription_id in failing:
            continue
        try:
            send(claim.push)
            outcomes[claim.notification_id] = None
        except PushFailed as exc:
            outcomes[claim.notification_id] = str(exc)
            failing.add(claim.subscription_id)
    with storage_errors(session):
        try:
            _record(session, claims, outcomes, now)
        except BaseException:
            session.rollback()
            raise
    failed = sum(1 for error in outcomes.values() if error is not None)
    return DeliveryReport(len(outcomes) - failed, failed, superseded)
