"""Task statuses, due times and Subscription criteria: the rules of closing the loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from medpass.domain.errors import Conflict, InvalidRequest
from medpass.domain.feeds import Feed
from medpass.domain.subscriptions import LONGEST_RETRY, next_attempt, parse_criteria
from medpass.domain.tasks import AcknowledgementWindows, CareNetwork, TaskStatus, check_move, is_overdue

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_every_partner_but_the_sender_is_told_and_the_gp_comes_from_the_patient_record() -> None:
    told = CareNetwork().to_tell(Feed.ACUTE, "ZZG02", "Sample Street Medical Centre")
    assert [(p.feed, p.reference) for p in told] == [(Feed.GP, "Organization/ZZG02"), (Feed.MENTAL_HEALTH, "Organization/ZZT01")]
    assert CareNetwork().to_tell(Feed.GP, None, None)[0].feed is Feed.MENTAL_HEALTH


def test_urgent_tasks_are_due_in_a_day_and_routine_ones_in_a_week() -> None:
    windows = AcknowledgementWindows()
    assert windows.due(NOW, urgent=True) == NOW + timedelta(hours=24)
    assert windows.due(NOW, urgent=False) == NOW + timedelta(days=7)


def test_only_an_unacknowledged_task_past_its_due_time_is_overdue() -> None:
    due = NOW - timedelta(minutes=1)
    assert is_overdue(TaskStatus.REQUESTED, due, NOW)
    assert not is_overdue(TaskStatus.ACCEPTED, due, NOW)
    assert not is_overdue(TaskStatus.REQUESTED, NOW + timedelta(minutes=1), NOW)


def test_the_owner_may_accept_complete_or_reject_with_a_reason() -> None:
    check_move(TaskStatus.REQUESTED, TaskStatus.ACCEPTED, None)
    check_move(TaskStatus.ACCEPTED, TaskStatus.COMPLETED, None)
    check_move(TaskStatus.REQUESTED, TaskStatus.REJECTED, "Not our patient any more")
    with pytest.raises(InvalidRequest, match="needs a reason"):
        check_move(TaskStatus.REQUESTED, TaskStatus.REJECTED, "  ")
    with pytest.raises(InvalidRequest, match="can move to"):
        check_move(TaskStatus.ACCEPTED, TaskStatus.REQUESTED, None)


def test_a_closed_task_never_moves_again() -> None:
    for closed in (TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED):
        with pytest.raises(Conflict):
            check_move(closed, TaskStatus.ACCEPTED, None)


def test_subscription_criteria_are_task_searches_on_known_parameters() -> None:
    criteria = parse_criteria("Task?owner=Organization/ZZG01&status=requested,accepted")
    assert criteria.matches({"owner": "Organization/ZZG01", "status": "accepted"})
    assert not criteria.matches({"owner": "Organization/ZZG02", "status": "requested"})
    assert not criteria.matches({"owner": "Organization/ZZG01", "status": "completed"})
    for bad in ("Patient?name=x", "Task?foo=1", "Task?owner=", "https://elsewhere/Task?owner=Organization/X"):
        with pytest.raises(InvalidRequest):
            parse_criteria(bad)


def test_failed_pushes_back_off_exponentially_to_an_hour_at_most() -> None:
    delays = [next_attempt(n, NOW) - NOW for n in (1, 2, 3, 4)]
    assert delays == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert next_attempt(50, NOW) - NOW == LONGEST_RETRY
