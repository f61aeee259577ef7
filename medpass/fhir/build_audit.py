"""API interactions as R4 AuditEvents (DICOM 'rest' events with the RESTful interaction as subtype)."""

from __future__ import annotations

from typing import Any

from medpass.domain.audit import AuditRecord

_TYPE = {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"}
_INTERACTION = "http://hl7.org/fhir/restful-interaction"


def _outcome(status: int) -> str:
    """AuditEvent.outcome: 0 success, 4 minor failure (the caller's), 8 serious failure (the server's)."""
    return "0" if status < 400 else ("4" if status < 500 else "8")


def audit_event(record: AuditRecord) -> dict[str, Any]:
    """One interaction as an AuditEvent."""
    return {
        "resourceType": "AuditEvent",
        "id": str(record.id),
        "type": _TYPE,
        "subtype": [{"system": _INTERACTION, "code": record.interaction}],
        "action": record.action,
        "recorded": record.recorded.isoformat(),
        "outcome": _outcome(record.status),
        "outcomeDesc": f"HTTP {record.status}",
        "agent": [{"who": {"display": record.who}, "requestor": True}],
        "source": {"observer": {"display": "medpass FHIR API"}},
        "entity": [{"what": {"display": f"{record.method} {record.path}"}}],
    }
