"""Courses that have finished: a statement still "active" whose course ended before today is not being taken.

GP Connect acute prescriptions and discharge courses (an antibiotic "to 11 March") carry the end of the course in
`MedicationStatement.effectivePeriod.end`; once it has passed the medicine is a finished course, never a current
medicine (issue 9, point 1: "courses that ended months ago read as active"). A MedicationRequest's validity
period is when the prescription may be dispensed, not the course, so it never ends a course here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from medpass.domain.dates import as_date
from medpass.domain.lines import ACTIVE_STATUSES, FeedList, FeedStatement
from medpass.domain.medications import MedicationEntry

#: The status a finished course is read as (FHIR R4 MedicationStatement.status "completed").
COMPLETED = "completed"


def course_ended(entry: MedicationEntry, today: date) -> bool:
    """An active statement whose effectivePeriod.end is before today."""
    end = as_date(entry.effective_end)
    return entry.source_type == "MedicationStatement" and entry.status in ACTIVE_STATUSES and end is not None and end < today


def _expired(statement: FeedStatement, today: date) -> FeedStatement:
    """The statement, read as a completed course when its course has ended."""
    if not course_ended(statement.entry, today):
        return statement
    return replace(statement, entry=replace(statement.entry, status=COMPLETED))


def expire_courses(lists: list[FeedList], today: date) -> list[FeedList]:
    """Every list with its finished courses read as completed (the sender's own status stays in source_status)."""
    return [replace(feed_list, statements=tuple(_expired(s, today) for s in feed_list.statements)) for feed_list in lists]
