"""Reconcile the feeds' current lists: lines of matched medicines and every real discrepancy, ranked by harm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medpass.domain.allergies import FeedAllergy
from medpass.domain.allergy_conflicts import allergy_conflicts
from medpass.domain.courses import expire_courses
from medpass.domain.dictionary import MedicineDictionary
from medpass.domain.differences import differences, duplicates
from medpass.domain.discrepancies import Discrepancy
from medpass.domain.lab_results import LabResult
from medpass.domain.lines import FeedList, Line, build_lines
from medpass.domain.lithium import lithium_differences
from medpass.domain.next_dose import overdue_doses
from medpass.domain.omissions import omissions_and_additions, stopped_elsewhere
from medpass.domain.qt import qt_interactions
from medpass.domain.safety import dose_limits, interactions, monitoring_due, valproate_acknowledgement
from medpass.domain.uncertain_matches import uncertain_matches
from medpass.domain.weekly_doses import weekly_differences
from medpass.domain.when_required import when_required_differences


@dataclass(frozen=True)
class ReconciliationSettings:
    """What the rules take from configuration (Config.reconciliation); required wherever a reconciliation runs."""

    depot_grace_days: int

    def __post_init__(self) -> None:
        """A grace is a number of whole days, never negative."""
        if self.depot_grace_days < 0:
            raise ValueError("the depot grace is a number of days, 0 or more")


@dataclass(frozen=True)
class Reconciliation:
    """The matched lines and the discrepancies found between the feeds."""

    lines: tuple[Line, ...]
    discrepancies: tuple[Discrepancy, ...]


def line_differences(line: Line, today: date) -> list[Discrepancy]:
    """The same medicine compared between feeds on `today` (when required against regular too), with lithium's and
    weekly medicines' own readings of the difference."""
    return weekly_differences(line, lithium_differences(line, differences(line, today) + when_required_differences(line, today)))


def reconcile(
    lists: list[FeedList],
    dictionary: MedicineDictionary,
    birth_date: str | None,
    today: date,
    tests: tuple[LabResult, ...] = (),
    gender: str | None = None,
    *,
    allergies: tuple[FeedAllergy, ...],
    settings: ReconciliationSettings,
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
        found += line_differences(line, today)
    found += duplicates(lines)
    found += uncertain_matches(lines)
    found += interactions(lines)
    found += qt_interactions(lines, dictionary)
    found += allergy_conflicts(lines, allergies, dictionary)
    found += dose_limits(lines, birth_date, today)
    found += monitoring_due(lines, tests, birth_date, today)
    found += valproate_acknowledgement(lines, tests, birth_date, gender, today)
    found += overdue_doses(lines, today, settings.depot_grace_days)
    return Reconciliation(tuple(lines), tuple(sorted(found, key=lambda d: d.rank)))
