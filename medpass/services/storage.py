"""Turn database failures into something a person can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from medpass.domain.errors import StorageUnavailable

_MISSING_TABLE_SIGNS = ("no such table", "does not exist", "undefinedtable")


def describe(exc: SQLAlchemyError) -> str:
    """One sentence: what is wrong with the database and what to do."""
    text = str(getattr(exc, "orig", exc) or exc)
    if any(sign in text.lower() for sign in _MISSING_TABLE_SIGNS):
        return "the database has no medpass tables yet: run `flask --app medpass init-db`"
    return f"the database cannot be used ({text.splitlines()[0] if text else type(exc).__name__})"


@contextmanager
def storage_errors(session: Session) -> Iterator[None]:
    """Roll back and raise StorageUnavailable for any database failure other than a constraint."""
    try:
        yield
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        session.rollback()
        raise StorageUnavailable(describe(exc)) from exc
