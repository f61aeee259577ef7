"""The agreed state of every medicine: what medpass may tell people to do with it (issue 9, point 1).

What was found (discrepancies) and what people are told are separate decisions (DOMAIN.md §3). For each line
of the reconciled list, each partner's position is read from its current list (takes it, stopped it, paused
it, its course finished, or leaves it off a list that should hold it), and the state follows:

- agreed: every partner that lists it agrees, or a clinician resolved the difference;
- changed: the newest message changed it with a documented reason and nothing since contradicts it;
- not agreed: partners disagree (a stop against a listing, doses that differ with no documented reason, a
  newer list that leaves it off) or taking it as listed could do harm (the same ingredient twice, an allergy)
  and no clinician has resolved it. Never presented as a medicine to take;
- on hold, stopped, course finished: never under current medicines.

Conflicts are read from the open discrepancies, so the rules that find them live in one place, and a
clinician's decision (domain/resolutions.py) closes them. Under-merge and surface; never resolve away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.lines import FeedList, Identified, Line
from medpass.domain.medications import ChangeStatus, PrescriberOfRecord
from medpass.domain.medicine_advice import dangerous_to_stop
from medpass.domain.omissions import should_list
from medpass.domain.resolutions import Decision, NewVersion, ResolutionKind, decision_of


class AgreedState(StrEnum):
    """What a medicine is for the patient now."""

    AGREED = "agreed"
    CHANGED = "changed"
    NOT_AGREED = "not-agreed"
    ON_HOLD = "on-hold"
    STOPPED = "stopped"
    COURSE_FINISHED = "course-finished"

    @property
    def is_current(self) -> bool:
        """A medicine to take: agreed, or changed with a documented reason."""
        return self in (AgreedState.AGREED, AgreedState.CHANGED)


class Says(StrEnum):
    """One partner's position on a medicine, from its current list."""

    TAKES = "lists"
    STOPPED = "stopped"
    ON_HOLD = "on-hold"
    FINISHED = "course-finished"
    LEAVES_OFF = "leaves-off"


#: Discrepancies that say partners disagree about one medicine (DOMAIN.md §3 discrepancy types).
VERSION_CODES = frozenset(c.value for c in (DiscrepancyCode.DOSE, DiscrepancyCode.FREQUENCY, DiscrepancyCode.ROUTE,
                                            DiscrepancyCode.FORM, DiscrepancyCode.BRAND_SWITCH))
#: Open findings that mean taking the medicine as listed could harm now: the same ingredient twice, a recorded
#: allergy (DOMAIN.md §3 L3b and "Allergies"). The medicine is checked before it is taken.
HARM_IF_TAKEN_CODES = frozenset(c.value for c in (DiscrepancyCode.DUPLICATE_INGREDIENT, DiscrepancyCode.ALLERGY_CONFLICT,
                                                  DiscrepancyCode.UNCERTAIN_MATCH))
ABSENCE_CODES = frozenset({DiscrepancyCode.OMISSION.value, DiscrepancyCode.ADDITION.value})
#: Classes the mental-health trust prescribes or monitors (DOMAIN.md §4).
MONITORED_BY_TRUST = frozenset({"lithium", "antipsychotic", "valproate"})


@dataclass(frozen=True)
class Position:
    """What one partner's current list says about a medicine, and when that list was made."""

    feed: Feed
    says: Says
    members: tuple[Identified, ...]
    message_time: datetime

    @property
    def reason(self) -> str | None:
        """The recorded reason for a stop, hold or change, if any."""
        for member in self.members:
            entry = member.statement.entry
            if self.says in (Says.STOPPED, Says.ON_HOLD) and entry.status_reason:
                return entry.status_reason
            if entry.change is not None and entry.change.reason:
                return entry.change.reason
        return None

    @property
    def changed_on(self) -> str:
        """When it was changed (the change date, the stop date, the course's end), else the list's date (ISO)."""
        for member in self.members:
            entry = member.statement.entry
            if self.says is Says.FINISHED and entry.effective_end:
                return entry.effective_end[:10]
            if self.says in (Says.STOPPED, Says.ON_HOLD) and (entry.status_changed or entry.effective_end):
                return (entry.status_changed or entry.effective_end or "")[:10]
            if entry.change is not None and entry.change.date_changed:
                return entry.change.date_changed[:10]
        return self.message_time.date().isoformat()

    @property
    def documents_a_change(self) -> bool:
        """The list says it started or changed the medicine, and why (PRSB change summary with a reason)."""
        return any(m.statement.entry.change is not None and m.statement.entry.change.status in (ChangeStatus.ADDED, ChangeStatus.AMENDED)
                   and bool(m.statement.entry.change.reason) for m in self.members)

    @property
    def started_here(self) -> bool:
        """The list says it started the medicine (PRSB change status Added)."""
        return any(m.statement.entry.change is not None and m.statement.entry.change.status is ChangeStatus.ADDED for m in self.members)


def _halted(member: Identified) -> Says:
    """Stopped, or paused (status on-hold, or the discharge's change status On-hold)."""
    entry = member.statement.entry
    on_hold = entry.status == "on-hold" or (entry.change is not None and entry.change.status is ChangeStatus.ON_HOLD)
    return Says.ON_HOLD if on_hold and member.statement.is_stopped else Says.STOPPED


def positions(line: Line, lists: Iterable[FeedList]) -> tuple[Position, ...]:
    """Each partner's position on the line, in feed order; a partner with nothing to say has none."""
    found = []
    for feed_list in lists:
        members = line.in_feed(feed_list.feed)
        taken = tuple(m for m in members if m.statement.is_active)
        halted = tuple(m for m in members if m.statement.is_stopped)
        finished = tuple(m for m in members if m.statement.entry.status == "completed")
        if taken:
            says, chosen = Says.TAKES, taken
        elif halted:
            says, chosen = _halted(halted[0]), halted[:1]
        elif finished:
            says, chosen = Says.FINISHED, finished[:1]
        elif should_list(feed_list, line):
            says, chosen = Says.LEAVES_OFF, ()
        else:
            continue
        found.append(Position(feed_list.feed, says, chosen, feed_list.message_time))
    return tuple(found)


def prescribing_feed(line: Line) -> Feed | None:
    """Who prescribes it: the prescriber-of-record extension first (GP record, then the others), else who lists it.

    A hospital that continues a medicine at discharge is not its prescriber; the GP or the trust is. None means
    "another organisation" that is none of the three.
    """
    ordered = sorted(line.members, key=lambda m: list(Feed).index(m.statement.feed))
    for member in ordered:
        if member.statement.entry.prescriber is PrescriberOfRecord.GP_PRACTICE:
            return Feed.GP
        if member.statement.entry.prescriber is PrescriberOfRecord.ANOTHER_ORGANISATION:
            return Feed.MENTAL_HEALTH if line.in_feed(Feed.MENTAL_HEALTH) else None
    feeds = {m.statement.feed for m in line.members}
    for feed in (Feed.GP, Feed.MENTAL_HEALTH, Feed.ACUTE):
        if feed in feeds:
            return feed
    return None


def monitoring_feed(line: Line) -> Feed | None:
    """Who monitors it: the mental-health trust for lithium, antipsychotics and valproate (DOMAIN.md §4)."""
    return Feed.MENTAL_HEALTH if line.classes & MONITORED_BY_TRUST else None


def trust_prescribed(line: Line) -> bool:
    """A medicine the mental-health trust prescribes: the GP record's omission of it is a recording gap, not a stop."""
    return prescribing_feed(line) is Feed.MENTAL_HEALTH or (bool(line.in_feed(Feed.MENTAL_HEALTH)) and prescribing_feed(line) is None)


@dataclass(frozen=True)
class AgreedVersion:
    """What to take: the product, how, who prescribes and who monitors (a feed's version or a clinician's)."""

    product: str
    how_to_take: str
    prescriber: Feed | None
    monitor: Feed | None
    source: Identified | None = None
    recorded: NewVersion | None = None


@dataclass(frozen=True)
class LineAgreement:
    """One medicine: its agreed state, every partner's position, and what settled it."""

    line: Line
    state: AgreedState
    positions: tuple[Position, ...]
    version: AgreedVersion | None
    deciding: Position | None = None
    decision: Decision | None = None
    open_issues: tuple[StoredIssue, ...] = ()

    @property
    def name(self) -> str:
        """The medicine as people say it."""
        return self.line.name

    @property
    def remind_to_take(self) -> bool:
        """Dose reminders go on: a current medicine, or one not agreed that must not be stopped suddenly (the passport
        says "do not stop or change it until you have checked" for those; reminders name no medicine by default)."""
        return self.state.is_current or (self.state is AgreedState.NOT_AGREED and dangerous_to_stop(self.line)
                                         and not self.harm_if_taken)

    @property
    def harm_if_taken(self) -> tuple[StoredIssue, ...]:
        """Open findings that mean it must be checked before it is taken (same ingredient twice, an allergy)."""
        return tuple(i for i in self.open_issues if i.code in HARM_IF_TAKEN_CODES)


def _version(members: tuple[Identified, ...], line: Line) -> AgreedVersion:
    """A feed's version: the product as written, and every dosage it gives (split doses are one regimen)."""
    texts = [m.statement.entry.dosage_text for m in members if m.statement.entry.dosage_text]
    return AgreedVersion(members[0].statement.entry.medicine.name, "; ".join(dict.fromkeys(texts)) or "",
                         prescribing_feed(line), monitoring_feed(line), members[0])


def _about(issue: StoredIssue, line: Line) -> bool:
    """Whether an issue implicates any of this line's statements."""
    return bool({m.statement.reference for m in line.members} & set(issue.implicated))


def _single_line(issue: StoredIssue, lines_by_reference: dict[str, Line]) -> bool:
    """All an issue's statements belong to one line."""
    return len({id(lines_by_reference[r]) for r in issue.implicated if r in lines_by_reference}) <= 1


def _decision_for(line: Line, issues: list[StoredIssue], lines_by_reference: dict[str, Line]) -> Decision | None:
    """The newest clinician decision about this line, from the closed issues the feeds still show."""
    found: list[Decision] = []
    for issue in issues:
        action = issue.resolution
        if issue.status is IssueStatus.OPEN or action is None:
            continue
        decision = decision_of(action.action, action.recorded_by, action.recorded_at, action.details)
        if _single_line(issue, lines_by_reference) or (decision.medicine or "").casefold() == line.name.casefold():
            found.append(decision)
    return max(found, key=lambda d: d.at) if found else None


def _newest(found: list[Position]) -> Position:
    """The position from the newest list."""
    return max(found, key=lambda p: p.message_time)


def _contradicting(line: Line, places: tuple[Position, ...], newest: Position) -> list[Position]:
    """Newer lists that should hold the medicine and leave it off.

    The GP record is not a contradiction when it leaves off what the trust prescribes (a recording gap the omission
    reports: DOMAIN.md §1), nor what a partner started with a documented reason that the practice has not yet
    added (NICE NG5: the GP record is reconciled after a discharge; the addition reports it).
    """
    return [p for p in places if p.says is Says.LEAVES_OFF and p.message_time > newest.message_time
            and not (p.feed is Feed.GP and (trust_prescribed(line) or (newest.started_here and newest.documents_a_change)))]


def _computed(line: Line, places: tuple[Position, ...], open_codes: set[str], *, decided: bool) -> tuple[AgreedState, Position | None]:
    """The state the partners' positions give; differences of version and harm come from the open discrepancies.

    After a clinician's decision (`decided`), a stop or an absence counts only while its discrepancy is open again.
    """
    takes = [p for p in places if p.says is Says.TAKES]
    halts = [p for p in places if p.says in (Says.STOPPED, Says.ON_HOLD)]
    if not takes:
        ended = [p for p in places if p.says is not Says.LEAVES_OFF]
        if not ended:
            return AgreedState.NOT_AGREED, None
        last = _newest(ended)
        return {Says.STOPPED: AgreedState.STOPPED, Says.ON_HOLD: AgreedState.ON_HOLD}.get(last.says, AgreedState.COURSE_FINISHED), last
    newest = _newest(takes)
    if halts and (not decided or DiscrepancyCode.STOPPED_ELSEWHERE.value in open_codes):
        halt = _newest(halts)
        if halt.message_time > newest.message_time and halt.reason:
            return (AgreedState.ON_HOLD if halt.says is Says.ON_HOLD else AgreedState.STOPPED), halt
        return AgreedState.NOT_AGREED, halt
    contradicting = _contradicting(line, places, newest)
    if contradicting and (not decided or open_codes & ABSENCE_CODES):
        return AgreedState.NOT_AGREED, _newest(contradicting)
    if open_codes & HARM_IF_TAKEN_CODES:
        return AgreedState.NOT_AGREED, newest
    others = [p for p in takes if p is not newest]
    if open_codes & VERSION_CODES:
        if newest.documents_a_change and all(p.message_time < newest.message_time for p in others):
            return AgreedState.CHANGED, newest
        return AgreedState.NOT_AGREED, newest
    lagging = others or [p for p in places if p.says is Says.LEAVES_OFF]
    if newest.documents_a_change and lagging:
        return AgreedState.CHANGED, newest
    return AgreedState.AGREED, newest


def _open_conflict(line: Line, places: tuple[Position, ...], open_codes: set[str]) -> bool:
    """A disagreement about the medicine is open: a stop, a version, a harm, or an absence from a newer list."""
    if open_codes & (VERSION_CODES | HARM_IF_TAKEN_CODES | {DiscrepancyCode.STOPPED_ELSEWHERE.value}):
        return True
    takes = [p for p in places if p.says is Says.TAKES]
    return bool(open_codes & ABSENCE_CODES) and bool(takes) and bool(_contradicting(line, places, _newest(takes)))


def _decided(line: Line, places: tuple[Position, ...], decision: Decision) -> tuple[AgreedState, AgreedVersion | None, Position | None]:
    """The state a clinician's decision gives."""
    takes = [p for p in places if p.says is Says.TAKES]
    latest = _version(_newest(takes).members, line) if takes else None
    if decision.kind is ResolutionKind.NEW_VERSION and decision.new_version is not None:
        recorded = decision.new_version
        product = recorded.product or (latest.product if latest else line.name)
        return AgreedState.AGREED, AgreedVersion(product, recorded.how_to_take, prescribing_feed(line), monitoring_feed(line),
                                                 latest.source if latest else None, recorded), None
    if decision.kind is ResolutionKind.MARK_STOPPED:
        return AgreedState.STOPPED, latest, None
    if decision.kind is ResolutionKind.MARK_ON_HOLD:
        return AgreedState.ON_HOLD, latest, None
    if decision.kind is ResolutionKind.ACCEPT_FEED:
        accepted = next((p for p in places if p.feed is decision.accepted_feed), None)
        if accepted is None or accepted.says is Says.LEAVES_OFF:
            return AgreedState.STOPPED, latest, accepted
        if accepted.says is Says.TAKES:
            return AgreedState.AGREED, _version(accepted.members, line), accepted
        state = {Says.STOPPED: AgreedState.STOPPED, Says.ON_HOLD: AgreedState.ON_HOLD}.get(accepted.says, AgreedState.COURSE_FINISHED)
        return state, _version(accepted.members, line), accepted
    if latest is not None:  # dismissed: not a real difference, so the newest listing stands
        return AgreedState.AGREED, latest, _newest(takes)
    return AgreedState.NOT_AGREED, None, None


def agree_line(line: Line, lists: Iterable[FeedList], issues: list[StoredIssue], lines_by_reference: dict[str, Line]) -> LineAgreement:
    """The agreed state of one line: a clinician's decision, else the feeds'.

    A decision that the medicine is to be taken holds only while no disagreement about it is open; one that stops or
    pauses it holds until a disagreement found after it (never show a disputed medicine as one to take).
    """
    places = positions(line, lists)
    about = [i for i in issues if i.current and _about(i, line)]
    still_open = tuple(i for i in about if i.status is IssueStatus.OPEN)
    open_codes = {i.code for i in still_open}
    decision = _decision_for(line, about, lines_by_reference)
    if decision is not None:
        state, version, deciding = _decided(line, places, decision)
        since = {i.code for i in still_open if i.last_found_at > decision.at}
        if not _open_conflict(line, places, since if not state.is_current else open_codes):
            return LineAgreement(line, state, places, version, deciding, decision, still_open)
    state, deciding = _computed(line, places, open_codes, decided=decision is not None)
    takes = [p for p in places if p.says is Says.TAKES]
    shown = deciding if deciding is not None and deciding.members else (_newest(takes) if takes else None)
    return LineAgreement(line, state, places, _version(shown.members, line) if shown else None, deciding, None, still_open)


def agree(lines: Iterable[Line], lists: Iterable[FeedList], issues: Iterable[StoredIssue]) -> tuple[LineAgreement, ...]:
    """Every line's agreed state, in the lines' order."""
    all_lines, all_lists, all_issues = list(lines), list(lists), list(issues)
    by_reference = {m.statement.reference: line for line in all_lines for m in line.members}
    return tuple(agree_line(line, all_lists, all_issues, by_reference) for line in all_lines)
