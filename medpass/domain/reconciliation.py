"""Reconcile the feeds' current lists: lines of matched medicines and every real discrepancy, ranked by harm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medpass.domain.courses import expire_courses
from medpass.domain.dictionary import MedicineDictionary
from medpass.domain.differences import differences, duplicates
from medpass.domain.discrepancies import Discrepancy
from medpass.domain.lab_results import LabResult
from medpass.domain.lines import FeedList, Line, build_lines
from medpass.domain.omissions import omissions_and_additions, stopped_elsewhere
from medpass.domain.safety import dose_limits, interactions, monitoring_due, valproate_acknowledgement


@dataclass(frozen=True)
class Reconciliation:
    """The matched lines and the discrepancies found between the feeds."""

    lines: tuple[Line, ...]
    discrepancies: tuple[Discrepancy, ...]


def reconcile(
    lists: list[FeedList],
    dictionary: MedicineDictionary,
    birth_date: str | None,
    today: date,
    tests: tuple[LabResult, ...] = (),
    gender: str | None = None,
) -> Reconciliation:
    """Match every feed's current statements into lines and find every discrepancy, most harmful first.

    Courses that ended before `today` are finished, not taken (domain/courses.py).
    """
    lists = expire_courses(lists, today)
    lines = build_lines(lists, dictionary)
    found: list[Discrepancy] = []
    for line in lines:
        found += stopped_elsewhere(line)
        found += omissions_and_additions(line, lists)
        found += differences(line)
    found += duplicates(lines)
    found += interactions(lines)
    found += dose_limits(lines, birth_date, today)
    found += monitoring_due(lines, tests, birth_date, today)
    found += valproate_acknowledgement(lines, tests, birth_date, gender, today)
    return Reconciliation(tuple(lines), tuple(sorted(found, key=lambda d: d.rank)))
