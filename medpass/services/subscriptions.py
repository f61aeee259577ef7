"""rest-hook Subscriptions: register, read, delete, and push what is owed (retried with backoff, never dropped)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from medpass.db import tasks
from medpass.db.rows import SubscriptionRow
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


def deliver_due(session: Session, now: datetime, send: Sender, limit: int = 100) -> DeliveryReport:
    """Push every due notification once (at least once: a receiver may see a repeat after a crash; PUT is idempotent).

    A failed push is retried later with backoff and the Subscription shows `error` until one succeeds.
    """
    delivered = failed = superseded = 0
    with storage_errors(session):
        try:
            claimed = tasks.claim_due(session, now, limit)
            newest: dict[tuple[int, int], int] = {}
            for notification, _, _ in claimed:
                key = (notification.subscription_id, notification.task_id)
                newest[key] = max(newest.get(key, 0), notification.task_version)
            failing: dict[int, datetime] = {}
            for notification, subscription, task in claimed:
                if notification.task_version < newest[(notification.subscription_id, notification.task_id)]:
                    notification.delivered_at, notification.last_error = now, "superseded by a newer version of the Task"
                    superseded += 1
                    continue
                if subscription.id in failing:  # its endpoint just failed: wait with the rest rather than time out again
                    notification.next_attempt_at = failing[subscription.id]
                    continue
                notification.attempts += 1
                try:
                    send(_push_for(subscription, task_resource(tasks.as_task(task), now)))
                except PushFailed as exc:
                    notification.last_error, notification.next_attempt_at = str(exc), next_attempt(notification.attempts, now)
                    subscription.status, subscription.error = SubscriptionStatus.ERROR.value, f"{now:%Y-%m-%dT%H:%M:%SZ}: {exc}"
                    failing[subscription.id] = notification.next_attempt_at
                    failed += 1
                    continue
                notification.delivered_at, notification.last_error = now, None
                if subscription.status == SubscriptionStatus.ERROR.value:
                    subscription.status, subscription.error = SubscriptionStatus.ACTIVE.value, None
                delivered += 1
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return DeliveryReport(delivered, failed, superseded)
