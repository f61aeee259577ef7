"""One recorded FHIR API interaction: who did what, when, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditRecord:
    """One interaction as recorded (never the bearer token)."""

    id: int
    recorded: datetime
    who: str
    action: str
    interaction: str
    method: str
    path: str
    status: int
