"""What the passport shows: the agreed version of each medicine, stops never undone, changes since last time."""

from __future__ import annotations

from datetime import UTC, datetime

from medpass.domain.feeds import Feed
from medpass.domain.lines import build_lines
from medpass.domain.passport import PassportInputs, PassportMedicine, agreed_version, build_passport, compare_with_last
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import lists, stated

NAPROXEN = "42107811000001100"
SERTRALINE_50 = "39704111000001102"
SERTRALINE_100 = "39704011000001103"


def passport_of(*statements: object, previous: list[dict[str, str]] | None = None) -> object:
    """A passport made from some statements (acute newest, then mental-health, then GP)."""
    feed_lists = lists(*statements)  # type: ignore[arg-type]
    lines = tuple(build_lines(feed_lists, medicines_dictionary()))
    inputs = PassportInputs("9990000018", "Ada TESTPATIENT", "1980-02-03", "Testbed Surgery", tuple(feed_lists), lines, (), (), False)
    return build_passport(inputs, datetime(2026, 11, 25, tzinfo=UTC), previous, 1)


def test_the_newest_feeds_version_is_the_agreed_one() -> None:
    feed_lists = lists(stated("gp", "Sertraline 50mg", SERTRALINE_50), stated("acute", "Sertraline 100mg", SERTRALINE_100))
    (line,) = build_lines(feed_lists, medicines_dictionary())
    agreed = agreed_version(line, {})
    assert agreed is not None and agreed.statement.feed is Feed.ACUTE


def test_a_clinicians_accepted_feed_wins_over_the_newest() -> None:
    feed_lists = lists(stated("gp", "Sertraline 50mg", SERTRALINE_50), stated("acute", "Sertraline 100mg", SERTRALINE_100))
    (line,) = build_lines(feed_lists, medicines_dictionary())
    agreed = agreed_version(line, {line.key: Feed.GP})
    assert agreed is not None and agreed.statement.feed is Feed.GP


def test_a_stop_in_the_newest_feed_is_never_undone_by_an_older_active_entry() -> None:
    passport = passport_of(stated("gp", "Naproxen", NAPROXEN),
                           stated("acute", "Naproxen", NAPROXEN, status="stopped", reason="GI bleed", discontinued=True))
    assert [m.name for m in passport.medicines] == []  # type: ignore[attr-defined]
    assert [(m.name, m.stopped_reason) for m in passport.stopped] == [("Naproxen", "GI bleed")]  # type: ignore[attr-defined]


def test_nothing_absent_reads_as_taken() -> None:
    passport = passport_of(stated("gp", "Sertraline 50mg", SERTRALINE_50, status="completed"))
    assert passport.medicines == () and passport.stopped == ()  # type: ignore[attr-defined]


def test_changes_since_the_last_passport_name_new_changed_and_dropped_medicines() -> None:
    now = [PassportMedicine("A", "one a day", "GP"), PassportMedicine("B", "two a day", "GP")]
    before = [{"name": "B", "how_to_take": "one a day"}, {"name": "C", "how_to_take": "one a day"}]
    assert compare_with_last(now, before) == ("New: A", "Now taken differently: B: two a day", "No longer listed: C")
    assert compare_with_last(now, None) == ()


def test_what_a_medicine_is_for_comes_from_the_indication_or_the_reason_it_was_started() -> None:
    amoxicillin = "39732311000001104"
    passport = passport_of(stated("acute", "Amoxicillin", amoxicillin, change=("added", "Pneumonia")))
    assert [m.what_for for m in passport.medicines] == ["Pneumonia"]  # type: ignore[attr-defined]
    passport = passport_of(stated("gp", "Sertraline", SERTRALINE_50))
    assert [m.what_for for m in passport.medicines] == [None]  # type: ignore[attr-defined]
