"""Stopped elsewhere, omission and addition: what one feed lists and another does not (DOMAIN.md §1, §3)."""

from __future__ import annotations

from medpass.domain.discrepancies import (
    MENTAL_HEALTH_CLASSES,
    Discrepancy,
    DiscrepancyCode,
    Harm,
    agree,
    feed_labels,
    feeds_of,
    harm_of,
    issue_key,
    references_of,
)
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList, Identified, Line, current_in


def stopped_elsewhere(line: Line) -> list[Discrepancy]:
    """Stopped or held in one feed, still active in another (commission: Stockton 2017, 24% of errors)."""
    versions = {feed: current_in(line, feed) for feed in Feed}
    stops = [m for members in versions.values() for m in members if m.statement.is_stopped]
    still = [m for members in versions.values() for m in members if m.statement.is_active]
    if not stops or not still:
        return []
    stop = max(stops, key=lambda m: m.statement.message_time)
    entry = stop.statement.entry
    verb = "put on hold" if entry.status == "on-hold" else "stopped"
    reason = f" ({entry.status_reason})" if entry.status_reason else " (no reason recorded)"
    still_feeds = feeds_of(still)
    detail = (
        f"{feed_labels([stop.statement.feed])} {verb} {line.name}{reason}; {feed_labels(still_feeds)} still "
        f"{agree(still_feeds, 'lists', 'list')} it as active."
    )
    members = [stop, *still]
    return [
        Discrepancy(
            DiscrepancyCode.STOPPED_ELSEWHERE,
            Harm.HIGH,
            line.name,
            detail,
            bool(entry.status_reason),
            references_of(members),
            feeds_of(members),
            issue_key(DiscrepancyCode.STOPPED_ELSEWHERE, line),
            "DOMAIN.md §1, §3: nothing stopped by a newer feed is re-activated (Stockton 2017)",
        )
    ]


def should_list(feed_list: FeedList, line: Line) -> bool:
    """Whether a feed's list is expected to hold this medicine (issue 3, DOMAIN.md §1).

    The GP record holds every current medicine; a discharge summary every medicine the patient leaves on;
    the mental-health feed what the trust prescribes or monitors. A list that is not known expects nothing.
    """
    if not feed_list.known:
        return False
    if feed_list.feed is Feed.GP:
        return True
    if feed_list.feed is Feed.ACUTE:
        return feed_list.is_discharge
    return bool(line.classes & MENTAL_HEALTH_CLASSES)


def _started(member: Identified) -> str:
    """When a statement says the medicine started (its change date, else its effective start)."""
    entry = member.statement.entry
    return (entry.change.date_changed if entry.change and entry.change.date_changed else None) or entry.effective_start or ""


def _is_new_relative_to(member: Identified, feed_list: FeedList) -> bool:
    """Added in its feed (PRSB change status Added), or started after the other feed's message."""
    entry = member.statement.entry
    if entry.change is not None and entry.change.status.value == "added":
        return True
    started = _started(member)
    return bool(started) and started[:10] > feed_list.message_time.date().isoformat()


def omissions_and_additions(line: Line, lists: list[FeedList]) -> list[Discrepancy]:
    """Active elsewhere, absent from a list that should hold it and records no stop: new there, or left out."""
    found: list[Discrepancy] = []
    for feed_list in lists:
        if line.in_feed(feed_list.feed) or not should_list(feed_list, line):
            continue
        others = [m for m in line.active() if m.statement.feed is not feed_list.feed]
        if feed_list.feed is Feed.ACUTE:  # a discharge list cannot hold what started after it
            others = [m for m in others if not _started(m) or _started(m)[:10] <= feed_list.message_time.date().isoformat()]
        if not others:
            continue
        new = [m for m in others if _is_new_relative_to(m, feed_list)]
        when = feed_list.message_time.strftime("%d %b %Y")
        if new:
            added = new[0].statement
            reason = added.entry.change.reason if added.entry.change else None
            because = f" ({reason})" if reason else " (no reason recorded)"
            missing = feed_labels([feed_list.feed])
            detail = f"{feed_labels([added.feed])} started {line.name}{because}; it is not yet on {missing}'s list of {when}."
            harm = Harm.LOW if reason else Harm.MODERATE
            found.append(
                Discrepancy(
                    DiscrepancyCode.ADDITION,
                    harm,
                    line.name,
                    detail,
                    bool(reason),
                    references_of(new),
                    feeds_of(new),
                    issue_key(DiscrepancyCode.ADDITION, line, feed_list.feed.value),
                    "issue 3: started recently in one feed and not yet on the others",
                )
            )
        else:
            detail = (
                f"{feed_labels(feeds_of(others))} {agree(feeds_of(others), 'lists', 'list')} {line.name} as active; "
                f"{feed_labels([feed_list.feed])}'s list of {when} does not, and records no stop."
            )
            found.append(
                Discrepancy(
                    DiscrepancyCode.OMISSION,
                    harm_of(line),
                    line.name,
                    detail,
                    False,
                    references_of(others),
                    feeds_of(others),
                    issue_key(DiscrepancyCode.OMISSION, line, feed_list.feed.value),
                    "DOMAIN.md §1: omission is the commonest error (Cornish 2005); clozapine often missing at the GP",
                )
            )
    return found
