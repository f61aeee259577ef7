"""R4 rest-hook Subscriptions on Task: which Tasks a subscriber is pushed, and when a failed push is retried.

A notification is never dropped: a failing endpoint is retried with exponential backoff, capped, for as
long as the Subscription exists (the Subscription shows status `error` meanwhile and `active` again once a
push succeeds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlsplit

from medpass.domain.errors import InvalidRequest

#: Task search parameters a Subscription's criteria may use, each matched on the Task's own value.
CRITERIA_PARAMETERS = frozenset({"owner", "status", "patient", "priority", "code"})

#: First retry after 30 s, doubling, never more than an hour apart.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


class SubscriptionStatus(StrEnum):
    """R4 subscription-status."""

    REQUESTED = "requested"
    ACTIVE = "active"
    ERROR = "error"
    OFF = "off"


@dataclass(frozen=True)
class Criteria:
    """`Task?owner=Organization/X&status=requested`: every named parameter must match one of its values."""

    parameters: tuple[tuple[str, frozenset[str]], ...]

    def matches(self, task_facts: dict[str, str]) -> bool:
        """True when the Task (its owner, status, patient, priority and code as strings) meets every parameter."""
        return all(task_facts.get(name) in values for name, values in self.parameters)


def parse_criteria(text: str) -> Criteria:
    """Read R4 Subscription.criteria; only Task searches on CRITERIA_PARAMETERS are served."""
    parts = urlsplit(text.strip())
    if parts.path != "Task" or parts.scheme or parts.netloc:
        raise InvalidRequest(f"Subscription.criteria {text!r}: medpass pushes Tasks only, e.g. Task?owner=Organization/<ODS code>")
    parameters: dict[str, set[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name not in CRITERIA_PARAMETERS:
            raise InvalidRequest(f"Subscription.criteria parameter {name!r} is not served; use {', '.join(sorted(CRITERIA_PARAMETERS))}")
        values = {v.strip() for v in value.split(",") if v.strip()}
        if not values:
            raise InvalidRequest(f"Subscription.criteria parameter {name!r} has no value")
        parameters.setdefault(name, set()).update(values)
    return Criteria(tuple(sorted((name, frozenset(values)) for name, values in parameters.items())))


def next_attempt(failures: int, now: datetime) -> datetime:
    """When to try again after `failures` failed pushes in a row: 30 s, 1 min, 2 min ... at most an hour."""
    delay: timedelta = FIRST_RETRY * (2 ** min(max(failures - 1, 0), 16))
    return now + min(delay, LONGEST_RETRY)


@dataclass(frozen=True)
class StoredSubscription:
    """A client's rest-hook Subscription as stored."""

    id: int
    client_id: int
    criteria: str
    reason: str
    endpoint: str
    payload: str | None
    headers: tuple[str, ...]
    status: SubscriptionStatus
    error: str | None
    last_modified: datetime
    version: int
