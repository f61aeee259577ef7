"""Fixtures shared by every layer of the suite: shared data, databases (SQLite and PostgreSQL), the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from medpass import create_app
from medpass.config import Config
from medpass.db.migrate import upgrade_database
from medpass.db.session import make_engine, make_sessionmaker
from medpass.domain.reconciliation import ReconciliationSettings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "fhir_samples"
SHARED = Path(os.environ.get("MEDPASS_SHARED_DIR", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() == "true"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
#: The reconciliation settings tests run with (a deployment takes them from Config.reconciliation).
RECONCILIATION = ReconciliationSettings(depot_grace_days=3)


def shared_path(relative: str) -> Path:
    """A file under ../shared: skipped where a clone has no ../shared, but a failure in CI, never a skip."""
    path = SHARED / relative
    if not path.exists():
        reason = f"{path} is not here: ../shared is not part of the repository (see README)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


def _postgres_url() -> str:
    """The PostgreSQL to test on, or a skip (a failure in CI) when none is configured."""
    url = os.environ.get("MEDPASS_TEST_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI=true but MEDPASS_TEST_DATABASE_URL is not set: PostgreSQL must be tested")
        pytest.skip("MEDPASS_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'medpass.db'}"
        return
    base = _postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a configured PostgreSQL that cannot be reached is a failure, never a skip
        pytest.fail(f"cannot reach PostgreSQL at {make_url(base).render_as_string()}: {exc}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the newest schema."""
    made = make_engine(database_url)
    upgrade_database(made)
    yield made
    made.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """The sessionmaker services are given."""
    return make_sessionmaker(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session, closed after the test."""
    with sessions() as opened:
        yield opened


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    """A Config for the test database, with the demo pages on."""
    return Config(database_url=database_url, instance_path=tmp_path / "instance", demo_pages=True)


@pytest.fixture
def app(config: Config, engine: Engine) -> Flask:
    """The Flask app on the migrated test database."""
    made = create_app(config)
    made.config["TESTING"] = True
    return made


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every medpass table, to prove that something changed nothing."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted((tuple(map(repr, row)) for row in connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }
