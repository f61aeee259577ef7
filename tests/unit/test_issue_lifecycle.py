"""A discrepancy's life: opened when found, kept resolved on the same data, reopened when the data changes."""

from medpass.domain.issue_lifecycle import IssueStatus, next_state


def test_a_new_discrepancy_opens() -> None:
    state = next_state(None, None, "abc")
    assert (state.status, state.current, state.reopened) == (IssueStatus.OPEN, True, False)


def test_a_resolved_discrepancy_stays_resolved_on_the_same_data() -> None:
    state = next_state(IssueStatus.RESOLVED, "abc", "abc")
    assert (state.status, state.current, state.reopened) == (IssueStatus.RESOLVED, True, False)


def test_a_resolved_or_dismissed_discrepancy_reopens_when_the_data_changes() -> None:
    for closed in (IssueStatus.RESOLVED, IssueStatus.DISMISSED):
        state = next_state(closed, "abc", "xyz")
        assert (state.status, state.reopened) == (IssueStatus.OPEN, True)


def test_a_discrepancy_the_feeds_no_longer_show_stops_being_current_but_keeps_its_status() -> None:
    state = next_state(IssueStatus.RESOLVED, "abc", None)
    assert (state.status, state.current) == (IssueStatus.RESOLVED, False)
