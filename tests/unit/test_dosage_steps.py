"""Tapers and steps: the dosage lines in force on a date, never every step at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from medpass.domain.dosage_steps import in_force, is_stepped
from medpass.domain.dosing import daily_dose_mg, daily_times, lines_daily_mg
from medpass.domain.reconciliation import ReconciliationSettings, reconcile
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import dosage, lists, stated

WEEK = {"bounds_duration": Decimal(7), "bounds_duration_unit": "d"}
FORTY, THIRTY, TWENTY = dosage("40mg each morning", "40", 1), dosage("30mg each morning", "30", 1), dosage("20mg each morning", "20", 1)
TAPER = (replace(FORTY, sequence=1, **WEEK), replace(THIRTY, sequence=2, **WEEK), replace(TWENTY, sequence=3))


def test_a_taper_by_sequence_and_duration_is_read_by_the_step_in_force_from_the_statements_start() -> None:
    on = {day: in_force(TAPER, "2026-11-10", date(2026, 11, day)) for day in (10, 16, 17, 23, 24, 30)}
    assert on == {10: (TAPER[0],), 16: (TAPER[0],), 17: (TAPER[1],), 23: (TAPER[1],), 24: (TAPER[2],), 30: (TAPER[2],)}


def test_steps_with_dated_periods_are_placed_by_their_dates_whatever_order_they_are_written_in() -> None:
    second = replace(TWENTY, bounds_start="2026-11-20", bounds_end="2026-12-31")
    first = replace(FORTY, bounds_start="2026-11-01", bounds_end="2026-11-19")
    assert [in_force((second, first), None, date(2026, 11, d)) for d in (19, 20)] == [(first,), (second,)]


def test_lines_of_one_step_are_taken_together_and_summed() -> None:
    morning, night = dosage("10mg in the morning", "10", 1), dosage("20mg at night", "20", 1)
    taper = (replace(morning, sequence=1, **WEEK), replace(night, sequence=1, **WEEK), replace(TWENTY, sequence=2))
    lines = in_force(taper, "2026-11-20", date(2026, 11, 25))
    assert lines == taper[:2] and lines_daily_mg(lines, None) == Decimal(30)


def test_a_step_that_cannot_be_placed_in_time_puts_nothing_in_force() -> None:
    no_start = in_force(TAPER, None, date(2026, 11, 25))
    unbounded_first = in_force((replace(FORTY, sequence=1), replace(TWENTY, sequence=2)), "2026-11-01", date(2026, 11, 25))
    no_date = in_force(TAPER, "2026-11-10", None)
    before_it_starts = in_force(TAPER, "2026-12-01", date(2026, 11, 25))
    hours = in_force((replace(FORTY, sequence=1, bounds_duration=Decimal(36), bounds_duration_unit="h"), replace(TWENTY, sequence=2)),
                     "2026-11-01", date(2026, 11, 25))
    assert (no_start, unbounded_first, no_date, before_it_starts, hours) == (None, None, None, None, None)


def test_lines_without_sequence_or_bounds_are_one_step_taken_together() -> None:
    morning, night = dosage("10mg in the morning", "10", 1), dosage("20mg at night", "20", 1)
    assert not is_stepped((morning, night))
    assert in_force((morning, night), None, None) == (morning, night)
    assert daily_dose_mg((morning, night), None) == Decimal(30) and daily_times((morning, night)) == Decimal(2)


def test_months_are_calendar_months() -> None:
    taper = (replace(FORTY, sequence=1, bounds_duration=Decimal(1), bounds_duration_unit="mo"), replace(TWENTY, sequence=2))
    assert [in_force(taper, "2026-01-31", date(2026, 2, d)) for d in (27, 28)] == [(taper[0],), (taper[1],)]


def test_the_daily_dose_without_a_date_is_never_the_sum_of_the_steps() -> None:
    assert (daily_dose_mg(TAPER, None), daily_times(TAPER)) == (None, None)
    assert lines_daily_mg(TAPER, None) == Decimal(90)  # what summing every step would wrongly say


def test_a_single_bounded_course_is_one_step() -> None:
    course = (replace(dosage("30mg each morning for 5 days", "30", 1), bounds_duration=Decimal(5), bounds_duration_unit="d"),)
    assert not is_stepped(course) and daily_dose_mg(course, None) == Decimal(30)



def _taper_against_thirty_mg(on: date) -> list[tuple[str, str]]:
    """The hospital's prednisolone taper (40, 30, then 20 mg a day, a week each from 10 Nov) against the GP's 30 mg."""
    taper = tuple(replace(d, route=None) for d in TAPER)
    feeds = lists(stated("gp", "Prednisolone 5mg tablets", dosages=(replace(THIRTY, route=None),), started="2026-01-01"),
                  stated("acute", "Prednisolone 5mg tablets", dosages=taper, started="2026-11-10"), feeds=("gp", "acute"))
    found = reconcile(feeds, medicines_dictionary(), "1970-01-01", on, allergies=(), settings=ReconciliationSettings(3)).discrepancies
    return [(d.code.value, d.detail) for d in found]


def test_a_taper_is_compared_by_the_step_in_force_on_the_day() -> None:
    assert _taper_against_thirty_mg(date(2026, 11, 20)) == []
    assert _taper_against_thirty_mg(date(2026, 11, 25)) == [
        ("dose", "Prednisolone 5mg tablets: the feeds differ in total daily dose. The GP practice: 30 mg a day; "
                 "the acute hospital: 20 mg a day. No reason recorded."),
    ]
