"""A DetectedIssue sent back by a client (PUT, PATCH) read as a clinician's decision (domain/resolutions.py).

The newest `mitigation` says what was decided: `status` cancelled dismisses; otherwise its extensions give the kind
(`discrepancy-resolution-kind`: accept-feed, new-version, mark-stopped, mark-on-hold), the accepted feed
(`discrepancy-accepted-feed`, which alone also means accept-feed), the new version (`discrepancy-new-version` with
product, dose, frequency, route and optional text), the medicine it is about (`discrepancy-medicine`) and the intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medpass.domain.errors import InvalidRequest
from medpass.domain.resolutions import NewVersion, ResolutionKind
from medpass.fhir.codes import (
    ACCEPTED_FEED_EXTENSION,
    INTENT_EXTENSION,
    KIND_EXTENSION,
    MEDICINE_EXTENSION,
    NEW_VERSION_EXTENSION,
    NEW_VERSION_PARTS,
)
from medpass.fhir.read_resource import valid_resource


@dataclass(frozen=True)
class ResolutionRequest:
    """What a client asks to record, before the domain checks it."""

    kind: ResolutionKind
    reason: str
    author: str | None
    intent: str | None
    accept_feed: str | None
    new_version: NewVersion | None
    medicine: str | None


def _extension(holder: dict[str, Any], url: str) -> dict[str, Any] | None:
    """The first extension with this url."""
    for extension in holder.get("extension", []) or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            return extension
    return None


def _value(holder: dict[str, Any], url: str) -> str | None:
    """A code- or string-valued extension's value."""
    extension = _extension(holder, url)
    if extension is None:
        return None
    value = extension.get("valueCode") or extension.get("valueString")
    return str(value) if value else None


def _new_version(mitigation: dict[str, Any]) -> NewVersion | None:
    """The new agreed version's parts, from the discrepancy-new-version extension."""
    extension = _extension(mitigation, NEW_VERSION_EXTENSION)
    if extension is None:
        return None
    parts = {part: _value(extension, part) for part in NEW_VERSION_PARTS}
    return NewVersion(parts["product"] or "", parts["dose"] or "", parts["frequency"] or "", parts["route"] or "", parts["text"])


def _kind(status: str, mitigation: dict[str, Any]) -> ResolutionKind:
    """What kind of decision: dismissal by status, else the kind extension, else accept-feed when a feed is named."""
    if status == "cancelled":
        return ResolutionKind.DISMISS
    asked = _value(mitigation, KIND_EXTENSION)
    if asked is not None:
        try:
            return ResolutionKind(asked)
        except ValueError:
            known = ", ".join(k.value for k in ResolutionKind)
            raise InvalidRequest(f"DetectedIssue.mitigation.extension ({KIND_EXTENSION}) {asked!r} is not one of {known}") from None
    if _value(mitigation, ACCEPTED_FEED_EXTENSION):
        return ResolutionKind.ACCEPT_FEED
    raise InvalidRequest(f"say what was decided: a mitigation extension {KIND_EXTENSION} (accept-feed, new-version, mark-stopped, "
                         f"mark-on-hold), or {ACCEPTED_FEED_EXTENSION}, or status cancelled to dismiss")


def read_resolution(resource: Any, issue_id: str) -> ResolutionRequest:
    """Read a sent DetectedIssue: status final (resolved) or cancelled (dismissed); the newest mitigation says what and why."""
    resource = valid_resource(resource, "DetectedIssue")
    if resource.get("id") != issue_id:
        raise InvalidRequest(f"DetectedIssue.id must be {issue_id!r}, the id in the URL")
    status = resource.get("status")
    if status not in ("final", "cancelled"):
        raise InvalidRequest("DetectedIssue.status must be final (resolved) or cancelled (dismissed)")
    mitigations = [m for m in resource.get("mitigation", []) or [] if isinstance(m, dict)]
    if not mitigations:
        raise InvalidRequest("add a DetectedIssue.mitigation saying what was decided and why (action.text)")
    newest = mitigations[-1]
    return ResolutionRequest(
        kind=_kind(str(status), newest),
        reason=str((newest.get("action") or {}).get("text") or ""),
        author=(newest.get("author") or {}).get("display"),
        intent=_value(newest, INTENT_EXTENSION),
        accept_feed=_value(newest, ACCEPTED_FEED_EXTENSION),
        new_version=_new_version(newest),
        medicine=_value(newest, MEDICINE_EXTENSION),
    )
