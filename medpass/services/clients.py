"""Register calling systems and recognise them by their bearer token (only its hash is ever stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import ApiClientRow
from medpass.domain.clients import ApiClient, parse_scope
from medpass.domain.errors import InvalidRequest, MessageRejected
from medpass.domain.feeds import Feed, parse_feed


def token_hash(token: str) -> str:
    """SHA-256 of a bearer token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _client(row: ApiClientRow) -> ApiClient:
    """A row as the domain's ApiClient."""
    return ApiClient(row.id, row.name, row.ods_code, Feed(row.feed) if row.feed else None, tuple(parse_scope(s) for s in row.scopes))


def create_client(
    session: Session, *, name: str, ods_code: str, feed: str | None, scopes: list[str], now: datetime
) -> tuple[ApiClient, str]:
    """Register a client and return it with its token, which is shown once and never stored."""
    if not name.strip() or not ods_code.strip():
        raise InvalidRequest("a client needs a name and an ODS code")
    if not scopes:
        raise InvalidRequest("give at least one --scope, such as system/MedicationStatement.rs")
    for scope in scopes:
        parse_scope(scope)
    if feed is not None:
        try:
            parse_feed(feed)
        except MessageRejected as exc:
            raise InvalidRequest(exc.issues[0].diagnostics) from None
    token = secrets.token_urlsafe(32)
    row = ApiClientRow(name=name.strip(), ods_code=ods_code.strip().upper(), feed=feed, scopes=list(scopes),
                       token_hash=token_hash(token), active=True, created_at=now)
    session.add(row)
    session.commit()
    return _client(row), token


def authenticate(session: Session, token: str) -> ApiClient | None:
    """The active client a bearer token belongs to, or None."""
    row = session.scalars(select(ApiClientRow).where(ApiClientRow.token_hash == token_hash(token), ApiClientRow.active.is_(True))).first()
    return _client(row) if row else None
