"""Dates as people read them: "8 April 2026", never a raw timestamp (issue 9: what medpass tells people)."""

from __future__ import annotations

from datetime import date, datetime

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def as_date(value: str | date | datetime | None) -> date | None:
    """A FHIR date or dateTime (or a date) as a calendar date; None when it is missing or not a full date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def long_date(value: str | date | datetime | None, unknown: str = "date not recorded") -> str:
    """'8 April 2026'; a year or year-month alone as 'April 2026' or '2026'; `unknown` when there is none."""
    found = as_date(value)
    if found is not None:
        return f"{found.day} {_MONTHS[found.month - 1]} {found.year}"
    if isinstance(value, str) and len(value) >= 7 and value[:4].isdigit() and value[5:7].isdigit() and 1 <= int(value[5:7]) <= 12:
        return f"{_MONTHS[int(value[5:7]) - 1]} {value[:4]}"
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return value[:4]
    return unknown


def weekday_name(value: date) -> str:
    """'Monday'."""
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[value.weekday()]
