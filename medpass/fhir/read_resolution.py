"""A DetectedIssue sent back by a client (PUT) read as a resolution: what was decided, by whom, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medpass.domain.errors import InvalidRequest
from medpass.fhir.codes import CANONICAL_BASE
from medpass.fhir.read_resource import valid_resource

INTENT_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-intent"
ACCEPTED_FEED_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-accepted-feed"


@dataclass(frozen=True)
class ResolutionRequest:
    """What a client asks: resolve (accepting a feed or recording a new version) or dismiss."""

    dismiss: bool
    reason: str
    author: str | None
    intent: str | None
    accept_feed: str | None
    new_version: str | None


def _extension_code(mitigation: dict[str, Any], url: str) -> str | None:
    """A code-valued extension of the mitigation."""
    for extension in mitigation.get("extension", []) or []:
        if isinstance(extension, dict) and extension.get("url") == url:
            value = extension.get("valueCode")
            return str(value) if value else None
    return None


def read_resolution(resource: Any, issue_id: str) -> ResolutionRequest:
    """Read a PUT DetectedIssue: status final (resolved) or cancelled (dismissed), the newest mitigation says why."""
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
    reason = str((newest.get("action") or {}).get("text") or "")
    accept_feed = _extension_code(newest, ACCEPTED_FEED_EXTENSION)
    return ResolutionRequest(
        dismiss=status == "cancelled",
        reason=reason,
        author=(newest.get("author") or {}).get("display"),
        intent=_extension_code(newest, INTENT_EXTENSION),
        accept_feed=accept_feed,
        new_version=None if accept_feed or status == "cancelled" else reason,
    )
