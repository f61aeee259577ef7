"""A Task or Subscription sent by a client, read into what medpass acts on (and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medpass.domain.errors import InvalidRequest
from medpass.domain.subscriptions import parse_criteria
from medpass.domain.tasks import TaskStatus, parse_status
from medpass.fhir.read_resource import valid_resource

#: What a subscriber may ask to be sent: the Task itself as FHIR JSON, or nothing but a ping.
PAYLOADS = frozenset({"application/fhir+json", "application/json"})


@dataclass(frozen=True)
class TaskUpdate:
    """What the owning partner says about a Task: its new status, why (needed to reject), and a note."""

    status: TaskStatus
    reason: str | None
    note: str | None


@dataclass(frozen=True)
class SubscriptionRequest:
    """A rest-hook Subscription as a client asks for it."""

    criteria: str
    reason: str
    endpoint: str
    payload: str | None
    headers: tuple[str, ...]


def read_task_update(resource: Any, task_id: str) -> TaskUpdate:
    """Read a PUT Task: only status, statusReason.text and the newest note are taken; the rest is medpass's."""
    body = valid_resource(resource, "Task")
    if body.get("id") != task_id:
        raise InvalidRequest(f"Task.id must be {task_id!r}, the id in the URL")
    reason = (body.get("statusReason") or {}).get("text")
    notes = [n.get("text") for n in body.get("note", []) or [] if isinstance(n, dict) and n.get("text")]
    return TaskUpdate(parse_status(body.get("status")), str(reason) if reason else None, str(notes[-1]) if notes else None)


def read_subscription(resource: Any) -> SubscriptionRequest:
    """Read a POSTed Subscription: an R4 rest-hook on Task with an http(s) endpoint."""
    body = valid_resource(resource, "Subscription")
    channel = body.get("channel") or {}
    if channel.get("type") != "rest-hook":
        raise InvalidRequest("Subscription.channel.type: medpass pushes by rest-hook only")
    endpoint = str(channel.get("endpoint") or "")
    if not endpoint.startswith(("https://", "http://")):
        raise InvalidRequest("Subscription.channel.endpoint must be an http(s) URL")
    payload = channel.get("payload")
    if payload is not None and payload not in PAYLOADS:
        raise InvalidRequest(f"Subscription.channel.payload {payload!r}: medpass sends {' or '.join(sorted(PAYLOADS))}, or no payload")
    headers = tuple(str(h) for h in channel.get("header", []) or [])
    if any(":" not in h or "\n" in h or "\r" in h for h in headers):
        raise InvalidRequest("Subscription.channel.header entries are 'Name: value', one line each")
    criteria = str(body.get("criteria") or "")
    parse_criteria(criteria)
    return SubscriptionRequest(criteria, str(body.get("reason") or ""), endpoint, payload, headers)
