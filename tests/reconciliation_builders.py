"""Feed lists for reconciliation tests: one line per statement, in the domain's own terms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

from medpass.domain.agreement import LineAgreement, agree
from medpass.domain.discrepancies import Discrepancy
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import IssueAction, IssueStatus, StoredIssue
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.medications import ChangeStatus, ChangeSummary, Dosage, ListKind, MedicationEntry, PrescriberOfRecord
from medpass.domain.medicines import Coding, Medicine
from medpass.domain.reconciliation import reconcile
from medpass.domain.resolutions import Decision, ResolutionKind
from medpass.reference.dictionary import medicines_dictionary

_ids = count(1)
ORAL = Coding("http://snomed.info/sct", "26643006", "Oral")
INTRAMUSCULAR = Coding("http://snomed.info/sct", "78421000", "Intramuscular")
TIMES = {"gp": datetime(2026, 3, 1, tzinfo=UTC), "mental-health": datetime(2026, 3, 5, tzinfo=UTC),
         "acute": datetime(2026, 3, 10, tzinfo=UTC)}


def dosage(text: str, mg: str | None = None, times: int | None = None, route: Coding | None = ORAL) -> Dosage:
    """A dosage line: text, and optionally a structured mg dose taken `times` a day."""
    return Dosage(text=text, dose_value=Decimal(mg) if mg else None, dose_unit="mg" if mg else None,
                  frequency=times, period=Decimal(1) if times else None, period_unit="d" if times else None, route=route)


def stated(feed: str, name: str, code: str | None = None, *, status: str = "active", dosages: tuple[Dosage, ...] = (),
           change: tuple[str, str | None] | None = None, reason: str | None = None, started: str = "2025-06-01",
           discontinued: bool = False, ended: str | None = None, prescriber: PrescriberOfRecord | None = None) -> FeedStatement:
    """One feed's statement of one medicine (coded with dm+d when `code` is given)."""
    codings = (Coding("https://dmd.nhs.uk", code, name),) if code else ()
    entry = MedicationEntry(
        source_type="MedicationStatement", source_id=None, status=status, source_status=status,
        medicine=Medicine(codings=codings, text=None if code else name), dosages=dosages or (dosage("As directed"),),
        status_reason=reason, effective_start=started, effective_end=ended, prescriber=prescriber,
        change=ChangeSummary(ChangeStatus(change[0]), change[1], started) if change else None,
        list_kind=ListKind.DISCONTINUED if discontinued else None,
    )
    return FeedStatement(f"MedicationStatement/{next(_ids)}", Feed(feed), entry, TIMES[feed])


def lists(*statements: FeedStatement, unknown: tuple[str, ...] = (), feeds: tuple[str, ...] = ("gp", "mental-health", "acute"),
          discharge: bool = True, times: dict[str, datetime] | None = None) -> list[FeedList]:
    """Every feed's list (feeds named in `unknown` say their medicines are not known); `times` moves a feed's message."""
    when = {**TIMES, **(times or {})}
    return [
        FeedList(Feed(feed), when[feed], feed not in unknown,
                 tuple(replace(s, message_time=when[feed]) for s in statements if s.feed is Feed(feed)),
                 is_discharge=discharge and feed == "acute")
        for feed in feeds
    ]


TODAY = date(2026, 11, 25)


def open_issues(discrepancies: tuple[Discrepancy, ...], found_at: datetime = datetime(2026, 11, 25, tzinfo=UTC)) -> list[StoredIssue]:
    """Discrepancies as a reconciliation stores them: open and current."""
    return [StoredIssue(f"issue-{n}", 1, d.code.value, d.harm.value, d.medicine, d.detail, d.documented, d.implicated,
                        IssueStatus.OPEN, True, found_at, found_at) for n, d in enumerate(discrepancies)]


def decided(issue: StoredIssue, decision: Decision) -> StoredIssue:
    """An issue closed by a clinician's decision."""
    status = IssueStatus.DISMISSED if decision.kind is ResolutionKind.DISMISS else IssueStatus.RESOLVED
    action = IssueAction("dismiss" if decision.kind is ResolutionKind.DISMISS else "resolve", decision.at, decision.by, decision.details())
    return replace(issue, status=status, actions=(action,))


def agreements_of(feed_lists: list[FeedList], decide: dict[str, Decision] | None = None) -> dict[str, LineAgreement]:
    """Reconcile on 25 Nov 2026, store every finding as open (or closed by `decide`, by code), and agree: by line name."""
    result = reconcile(feed_lists, medicines_dictionary(), "1980-01-01", TODAY)
    issues = [decided(i, decide[i.code]) if decide and i.code in decide else i for i in open_issues(result.discrepancies)]
    return {a.name: a for a in agree(result.lines, feed_lists, issues)}
