"""FHIR search parameters read into medpass's queries, in one place (FHIR R4 search.html semantics)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from medpass.domain.errors import InvalidRequest
from medpass.domain.feeds import Feed
from medpass.domain.statement_search import StatementQuery
from medpass.fhir.models import FhirVersion
from medpass.fhir.valuesets import BINDINGS

_DATE = re.compile(r"^(eq|ge|le|gt|lt)?(\d{4}(-\d{2}(-\d{2})?)?)$")
_STATEMENT_STATUSES = next(
    allowed for kind, path, allowed in BINDINGS[FhirVersion.R4] if kind == "MedicationStatement" and path == "status"
)
_INSTANT = re.compile(r"^(eq|ge|le|gt|lt)?(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)$")
#: Parameters every search takes: paging, totals and format. `_total` and `_totalMethod` ask for a total, which
#: medpass always gives exactly, so they are accepted and change nothing.
RESULT_PARAMETERS = frozenset({"_count", "_offset", "_snapshot", "_summary", "_format", "_total", "_totalMethod"})
MEDICATION_STATEMENT_PARAMETERS = frozenset({"patient", "status", "code", "effective", "feed", "_sort", "_lastUpdated", "_include",
                                             *RESULT_PARAMETERS})


def unsupported(given: Iterable[str], served: Iterable[str]) -> None:
    """400 naming every search parameter that is neither served by this resource nor a result parameter."""
    unknown = sorted(set(given) - set(served) - RESULT_PARAMETERS)
    if unknown:
        raise InvalidRequest(f"unsupported search parameter(s): {', '.join(unknown)}")
#: The one _include served: each statement's coded medicine as a Medication resource.
STATEMENT_INCLUDES = frozenset({"MedicationStatement:medication"})


def _is_time(value: str) -> bool:
    """True when a date or instant that looks right is also a real one (no 30 February)."""
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


#: FHIR search prefixes for dates (search.html "prefix"); no prefix means eq.
PREFIXES = ("eq", "ge", "le", "gt", "lt")


def prefixed_time(name: str, raw: str, *, prefixes: tuple[str, ...] = PREFIXES, dates_only: bool = False) -> tuple[str, str]:
    """A date (or, unless `dates_only`, an instant with a zone) with a prefix from `prefixes`: (prefix, value), or 400."""
    match = _INSTANT.match(raw)
    prefix, value = (match.group(1) or "eq", match.group(2)) if match else ("", "")
    if not match or prefix not in prefixes or (dates_only and len(value) != 10) or not _is_time(value):
        shape = "a date" if dates_only else "a date or an instant with a zone"
        raise InvalidRequest(f"{name} {raw!r}: use {shape} with a prefix ({', '.join(prefixes)}), e.g. {prefixes[-1]}2026-11-25")
    return prefix, value


def instant_of(value: str) -> datetime:
    """A checked date or instant as an aware UTC datetime (a date is its midnight UTC)."""
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _values(args: Mapping[str, list[str]], name: str) -> list[str]:
    """Every comma-separated value of a repeated parameter."""
    return [value for raw in args.get(name, []) for value in raw.split(",") if value]


def statement_query(args: Mapping[str, list[str]]) -> StatementQuery:
    """A MedicationStatement search's criteria, or InvalidRequest naming the parameter that is wrong."""
    unknown = sorted(set(args) - MEDICATION_STATEMENT_PARAMETERS)
    if unknown:
        raise InvalidRequest(f"unsupported search parameter(s): {', '.join(unknown)}")
    statuses = _values(args, "status")
    bad = [s for s in statuses if s not in _STATEMENT_STATUSES]
    if bad:
        raise InvalidRequest(f"status {bad[0]!r} is not a MedicationStatement status")
    codes = []
    for token in _values(args, "code"):
        system, _, code = token.rpartition("|")
        codes.append((system or None, code))
    effective = []
    for raw in args.get("effective", []):
        match = _DATE.match(raw)
        if not match:
            raise InvalidRequest(f"effective {raw!r}: use a date with an optional prefix, e.g. ge2026-01-01")
        effective.append((match.group(1) or "eq", match.group(2)))
    try:
        feeds = frozenset(Feed(value) for value in _values(args, "feed"))
    except ValueError:
        raise InvalidRequest("feed must be gp, mental-health or acute") from None
    last_updated = [prefixed_time("_lastUpdated", raw) for raw in args.get("_lastUpdated", [])]
    if bad_include := [v for v in args.get("_include", []) if v not in STATEMENT_INCLUDES]:
        raise InvalidRequest(f"_include {bad_include[0]!r} is not served: use {', '.join(sorted(STATEMENT_INCLUDES))}")
    sorts = args.get("_sort") or []
    sort = sorts[0] if sorts else None
    if sort not in (None, "effective", "-effective"):
        raise InvalidRequest("_sort may be effective or -effective")
    return StatementQuery(frozenset(statuses), tuple(codes), tuple(effective), feeds, sort, tuple(last_updated))


def page_size(args: Mapping[str, list[str]], default: int = 50, largest: int = 500) -> int:
    """_count, bounded."""
    raw = (args.get("_count") or [str(default)])[0]
    if not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= largest:
        raise InvalidRequest(f"_count must be a whole number from 0 (the total only) to {largest}")
    return int(raw)
