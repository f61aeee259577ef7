"""Prepare the database: create or upgrade the schema."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from medpass.db.migrate import current_revision, upgrade_database
from medpass.domain.errors import StorageUnavailable
from medpass.services.storage import describe


def init_database(engine: Engine) -> tuple[str | None, str | None]:
    """Upgrade to the newest schema; return the revision before and after."""
    try:
        before = current_revision(engine)
        upgrade_database(engine)
        return before, current_revision(engine)
    except SQLAlchemyError as exc:
        raise StorageUnavailable(describe(exc)) from exc
