"""Which feed statements a MedicationStatement search asks for: status, code, effective date, feed, order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedStatement
from medpass.domain.medicines import DMD, DMD_SYSTEMS

#: FHIR date-search prefixes medpass supports, as comparisons on ISO dates (FHIR search.html "prefix").
_PREFIXES = {"eq": lambda a, b: a == b, "ge": lambda a, b: a >= b, "le": lambda a, b: a <= b,
             "gt": lambda a, b: a > b, "lt": lambda a, b: a < b}


@dataclass(frozen=True)
class StatementQuery:
    """A parsed search: every present criterion must hold (a comma inside one means OR)."""

    statuses: frozenset[str] = frozenset()
    codes: tuple[tuple[str | None, str], ...] = ()
    effective: tuple[tuple[str, str], ...] = ()
    feeds: frozenset[Feed] = frozenset()
    sort: str | None = None
    last_updated: tuple[tuple[str, str], ...] = ()


def _updated_matches(stored_at: datetime | None, prefix: str, value: str) -> bool:
    """_lastUpdated: a date compares with the day it was stored, an instant with the instant (FHIR search.html)."""
    if stored_at is None:
        return False
    if len(value) == 10:
        return bool(_PREFIXES[prefix](stored_at.astimezone(UTC).date().isoformat(), value))
    return bool(_PREFIXES[prefix](stored_at, datetime.fromisoformat(value.replace("Z", "+00:00"))))


def _system(system: str | None) -> str | None:
    """dm+d and SNOMED CT systems compare as one (DOMAIN.md §2)."""
    return DMD if system in DMD_SYSTEMS else system


def matches(statement: FeedStatement, query: StatementQuery) -> bool:
    """True when the statement meets every criterion of the query."""
    entry = statement.entry
    if query.statuses and entry.status not in query.statuses:
        return False
    if query.feeds and statement.feed not in query.feeds:
        return False
    if query.codes and not any(
        coding.code == code and (system is None or _system(coding.system) == _system(system))
        for system, code in query.codes
        for coding in entry.medicine.codings
    ):
        return False
    if not all(_updated_matches(statement.stored_at, prefix, value) for prefix, value in query.last_updated):
        return False
    start = (entry.effective_start or "")[:10]
    return all(start and _PREFIXES[prefix](start, day[:10]) for prefix, day in query.effective)


def search(statements: list[FeedStatement], query: StatementQuery) -> list[FeedStatement]:
    """The matching statements in a stable order: by effective date if asked, then by id."""
    found = [s for s in statements if matches(s, query)]
    by_id = sorted(found, key=lambda s: int(s.reference.rsplit("/", 1)[1]))
    if query.sort in ("effective", "-effective"):
        return sorted(by_id, key=lambda s: s.entry.effective_start or "", reverse=query.sort.startswith("-"))
    return by_id
