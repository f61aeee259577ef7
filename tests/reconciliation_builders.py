"""Feed lists for reconciliation tests: one line per statement, in the domain's own terms."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import count

from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.medications import ChangeStatus, ChangeSummary, Dosage, ListKind, MedicationEntry
from medpass.domain.medicines import Coding, Medicine

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
           discontinued: bool = False) -> FeedStatement:
    """One feed's statement of one medicine (coded with dm+d when `code` is given)."""
    codings = (Coding("https://dmd.nhs.uk", code, name),) if code else ()
    entry = MedicationEntry(
        source_type="MedicationStatement", source_id=None, status=status, source_status=status,
        medicine=Medicine(codings=codings, text=None if code else name), dosages=dosages or (dosage("As directed"),),
        status_reason=reason, effective_start=started,
        change=ChangeSummary(ChangeStatus(change[0]), change[1], started) if change else None,
        list_kind=ListKind.DISCONTINUED if discontinued else None,
    )
    return FeedStatement(f"MedicationStatement/{next(_ids)}", Feed(feed), entry, TIMES[feed])


def lists(*statements: FeedStatement, unknown: tuple[str, ...] = (), feeds: tuple[str, ...] = ("gp", "mental-health", "acute"),
          discharge: bool = True) -> list[FeedList]:
    """Every feed's list (feeds named in `unknown` say their medicines are not known)."""
    return [
        FeedList(Feed(feed), TIMES[feed], feed not in unknown, tuple(s for s in statements if s.feed is Feed(feed)),
                 is_discharge=discharge and feed == "acute")
        for feed in feeds
    ]
