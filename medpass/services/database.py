"""Prepare the database: create or upgrade the schema."""

from __future__ import annotations

from sqlalchemy import Engine

from medpass.db.migrate import current_revision, upgrade_database


def init_database(engine: Engine) -> tuple[str | None, str | None]:
    """Upgrade to the newest schema; return the revision before and after."""
    before = current_revision(engine)
    upgrade_database(engine)
    return before, current_revision(engine)
