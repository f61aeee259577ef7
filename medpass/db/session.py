"""Engines and sessions, made by create_app or a command from a Config: never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL and foreign keys for SQLite; a busy timeout so concurrent writers wait instead of failing.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN (below) really opens
    the transaction: otherwise SAVEPOINTs commit on release and a rollback loses its effect.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Open every SQLite transaction explicitly (see _sqlite_pragmas); IMMEDIATE for the app's sessions.

    A deferred SQLite transaction that has read cannot start writing once another connection has committed
    ("database is locked" at once: busy_timeout does not apply to a stale snapshot). The app's transactions
    therefore take the write lock when they begin, waiting up to busy_timeout for it: on SQLite, writing
    transactions run one at a time and never fail for it (readers are not blocked, as WAL allows). The
    benchmark found this: concurrent $passport requests failed on SQLite before.
    """
    immediate = connection.get_execution_options().get("medpass_begin_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(database_url: str) -> Engine:
    """An engine for SQLite (file made if missing) or PostgreSQL (psycopg 3)."""
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine, *, immediate: bool = False) -> sessionmaker[Session]:
    """The one sessionmaker of an app or a command; `immediate`: SQLite transactions take the write lock at BEGIN.

    The app's sessions are immediate (see _sqlite_begin); a session that only inspects (a test's, a benchmark's)
    need not be. PostgreSQL ignores the option.
    """
    bind = engine.execution_options(medpass_begin_immediate=True) if immediate else engine
    return sessionmaker(bind=bind, expire_on_commit=False)
