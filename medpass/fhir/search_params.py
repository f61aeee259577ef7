"""FHIR search parameters read into medpass's queries, in one place (FHIR R4 search.html semantics)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from medpass.domain.errors import InvalidRequest
from medpass.domain.feeds import Feed
from medpass.domain.statement_search import StatementQuery
from medpass.fhir.models import FhirVersion
from medpass.fhir.valuesets import BINDINGS

_DATE = re.compile(r"^(eq|ge|le|gt|lt)?(\d{4}(-\d{2}(-\d{2})?)?)$")
_STATEMENT_STATUSES = next(
    allowed for kind, path, allowed in BINDINGS[FhirVersion.R4] if kind == "MedicationStatement" and path == "status"
)
MEDICATION_STATEMENT_PARAMETERS = frozenset({"patient", "status", "code", "effective", "feed", "_count", "_sort", "_summary",
                                             "_snapshot", "_offset", "_format"})


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
    sorts = args.get("_sort") or []
    sort = sorts[0] if sorts else None
    if sort not in (None, "effective", "-effective"):
        raise InvalidRequest("_sort may be effective or -effective")
    return StatementQuery(frozenset(statuses), tuple(codes), tuple(effective), feeds, sort)


def page_size(args: Mapping[str, list[str]], default: int = 50, largest: int = 500) -> int:
    """_count, bounded."""
    raw = (args.get("_count") or [str(default)])[0]
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= largest:
        raise InvalidRequest(f"_count must be a whole number from 1 to {largest}")
    return int(raw)
