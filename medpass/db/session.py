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
    """Open every SQLite transaction explicitly (see _sqlite_pragmas)."""
    connection.exec_driver_sql("BEGIN")


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


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The one sessionmaker of an app or a command."""
    return sessionmaker(bind=engine, expire_on_commit=False)
