"""Record every FHIR API interaction as an audit event, in a transaction of its own so nothing is lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session, sessionmaker

from medpass.db.rows import AuditEventRow
from medpass.domain.audit import AuditRecord
from medpass.domain.clients import ApiClient


def record_interaction(
    sessions: sessionmaker[Session], *, client: ApiClient | None, action: str, interaction: str, method: str, path: str,
    status: int, now: datetime,
) -> None:
    """Store one interaction; its own session and commit, so a failed request is still recorded."""
    with sessions() as session:
        session.add(AuditEventRow(recorded=now, client_id=client.client_id if client else None,
                                  client_name=f"{client.name} ({client.ods_code})" if client else "unidentified caller",
                                  action=action, interaction=interaction, method=method, path=path, status=status))
        session.commit()


def recent_interactions(
    session: Session, limit: int = 100, *, since: datetime | None = None, until: datetime | None = None,
    actions: frozenset[str] = frozenset(), agent_name: str | None = None, outcome: str | None = None,
) -> list[AuditRecord]:
    """The newest interactions first, optionally from `since`, before `until`, of some actions, by a client whose name
    starts with `agent_name`, with an AuditEvent outcome (0 success, 4 a 4xx answer, 8 a 5xx answer)."""
    query = select(AuditEventRow)
    if since is not None:
        query = query.where(AuditEventRow.recorded >= since)
    if until is not None:
        query = query.where(AuditEventRow.recorded < until)
    if actions:
        query = query.where(AuditEventRow.action.in_(sorted(actions)))
    if agent_name:
        query = query.where(func.lower(AuditEventRow.client_name).like(f"{agent_name.casefold().replace('%', '')}%"))
    if outcome is not None:
        low, high = {"0": (0, 400), "4": (400, 500), "8": (500, 1000)}[outcome]
        query = query.where(AuditEventRow.status >= low, AuditEventRow.status < high)
    rows = session.scalars(query.order_by(desc(AuditEventRow.id)).limit(limit))
    return [AuditRecord(r.id, r.recorded, r.client_name, r.action, r.interaction, r.method, r.path, r.status) for r in rows]
