"""Register calling systems and recognise them by their bearer token (only its hash is ever stored)."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import datetime, timedelta

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


def authenticate(session: Session, token: str, cache: ClientCache | None = None, now: datetime | None = None) -> ApiClient | None:
    """The active client a bearer token belongs to, or None; with a cache, a known token is not looked up again
    for `cache.ttl` (so a deactivated client is refused within that time)."""
    digest = token_hash(token)
    if cache is not None and now is not None and (known := cache.get(digest, now)) is not None:
        return known
    row = session.scalars(select(ApiClientRow).where(ApiClientRow.token_hash == digest, ApiClientRow.active.is_(True))).first()
    client = _client(row) if row else None
    if client is not None and cache is not None and now is not None:
        cache.put(digest, client, now)
    return client


class ClientCache:
    """Recently recognised clients by token hash, in one server process (unknown tokens are never cached)."""

    def __init__(self, ttl: timedelta = timedelta(seconds=60), size: int = 1000) -> None:
        self.ttl, self.size = ttl, size
        self._known: dict[str, tuple[ApiClient, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, now: datetime) -> ApiClient | None:
        """The client, if recognised less than `ttl` ago."""
        with self._lock:
            found = self._known.get(digest)
            if found is None or now - found[1] >= self.ttl:
                self._known.pop(digest, None)
                return None
            return found[0]

    def put(self, digest: str, client: ApiClient, now: datetime) -> None:
        """Remember a recognised client (the oldest entry goes when full)."""
        with self._lock:
            if len(self._known) >= self.size:
                self._known.pop(next(iter(self._known)))
            self._known[digest] = (client, now)
