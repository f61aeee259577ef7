"""A depot or other long-interval medicine: the next dose is due at the last dose plus the interval; overdue after a grace."""

from __future__ import annotations

from datetime import date

import pytest

from medpass.config import Config
from medpass.domain.discrepancies import DiscrepancyCode, Harm
from medpass.domain.lines import FeedStatement
from medpass.domain.medications import Dosage
from medpass.domain.next_dose import next_dose_due
from medpass.domain.reconciliation import ReconciliationSettings
from tests.reconciliation_builders import INTRAMUSCULAR, discrepancies_of, dosage, lists, stated, with_entry

ZUCLOPENTHIXOL_DEPOT = "36152111000001102"
FORTNIGHTLY = dosage("200mg every 2 weeks", "200", 1, INTRAMUSCULAR, every="wk", period=2)


def _depot(feed: str, last_dose: str | None, *dosages: Dosage) -> FeedStatement:
    statement = stated(feed, "Zuclopenthixol decanoate 200mg/1ml", ZUCLOPENTHIXOL_DEPOT, dosages=dosages or (FORTNIGHTLY,))
    return with_entry(statement, last_dose_date=last_dose)


@pytest.mark.parametrize(
    ("dosages", "last", "due"),
    [
        ((FORTNIGHTLY,), "2026-11-01T10:30:00+00:00", date(2026, 11, 15)),
        ((Dosage(text="400mg by intramuscular injection every 4 weeks"),), "2026-11-01", date(2026, 11, 29)),
        ((Dosage(text="400mg monthly"),), "2026-01-31", date(2026, 2, 28)),
        ((dosage("100mg once a month", "100", 1, INTRAMUSCULAR, every="mo"),), "2026-03-15", date(2026, 4, 15)),
        ((Dosage(text="50mg fortnightly"),), "2026-11-01", date(2026, 11, 15)),
    ],
)
def test_the_next_dose_is_due_at_the_last_dose_plus_the_interval(dosages: tuple[Dosage, ...], last: str, due: date) -> None:
    statement = with_entry(stated("mental-health", "Depot", dosages=dosages), last_dose_date=last)
    assert next_dose_due(statement.entry) == due


def test_no_next_dose_date_without_a_last_dose_or_for_a_daily_medicine() -> None:
    assert next_dose_due(with_entry(stated("mental-health", "Depot", dosages=(FORTNIGHTLY,)), last_dose_date=None).entry) is None
    daily = with_entry(stated("gp", "Olanzapine", dosages=(dosage("10mg at night", "10", 1),)), last_dose_date="2026-11-01")
    assert next_dose_due(daily.entry) is None


def test_a_depot_overdue_beyond_the_grace_is_flagged_high_and_one_within_it_is_not() -> None:
    feeds = lists(_depot("gp", None), _depot("mental-health", "2026-11-05T10:30:00+00:00"), discharge=False)  # due 19 Nov
    (issue,) = discrepancies_of(feeds, today=date(2026, 11, 25), grace_days=3)
    assert (issue.code, issue.harm, issue.medicine) == (DiscrepancyCode.DEPOT_OVERDUE, Harm.HIGH, "Zuclopenthixol decanoate")
    assert issue.detail == (
        "Zuclopenthixol decanoate: the last dose in the feeds was given on 2026-11-05 (the mental-health trust); given every "
        "2 weeks, the next was due on 2026-11-19, 6 days ago. Check whether it was given; if not, arrange it now."
    )
    assert discrepancies_of(feeds, today=date(2026, 11, 22), grace_days=3) == []
    assert discrepancies_of(feeds, today=date(2026, 11, 25), grace_days=7) == []


def test_the_newest_dose_any_feed_records_counts() -> None:
    feeds = lists(_depot("gp", "2026-10-01"), _depot("mental-health", "2026-11-20"), discharge=False)
    assert discrepancies_of(feeds, today=date(2026, 11, 25)) == []


def test_the_grace_is_a_required_setting_read_from_the_environment() -> None:
    assert Config.from_env({"MEDPASS_DEPOT_GRACE_DAYS": "5"}).reconciliation == ReconciliationSettings(5)
    assert Config.from_env({}).reconciliation == ReconciliationSettings(3)
    with pytest.raises(ValueError, match="0 or more"):
        ReconciliationSettings(-1)
