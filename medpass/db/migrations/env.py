"""Alembic environment: the URL comes from medpass's Config via the caller, never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from medpass.db.rows import Base
from medpass.db.session import make_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    """Run the migrations on one connection."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Upgrade using a connection handed over by medpass, or one made from the configured URL."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()


run_migrations_online()
