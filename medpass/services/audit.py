"""Record every FHIR API interaction as an audit event, in a transaction of its own so nothing is lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import desc, select
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


def recent_interactions(session: Session, limit: int = 100) -> list[AuditRecord]:
    """The newest interactions first."""
    rows = session.scalars(select(AuditEventRow).order_by(desc(AuditEventRow.id)).limit(limit))
    return [AuditRecord(r.id, r.recorded, r.client_name, r.action, r.interaction, r.method, r.path, r.status) for r in rows]
