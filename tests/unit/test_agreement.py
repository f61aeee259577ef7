"""The agreed state of each medicine: what medpass may tell people to do with it (issue 9, point 1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from medpass.domain.agreement import AgreedState, Says
from medpass.domain.errors import InvalidRequest
from medpass.domain.feeds import Feed
from medpass.domain.medications import PrescriberOfRecord
from medpass.domain.resolutions import NewVersion, ResolutionKind, decide
from tests.reconciliation_builders import agreements_of, dosage, lists, stated

NAPROXEN = "42107811000001100"
SERTRALINE_50 = "39704111000001102"
SERTRALINE_100 = "39704011000001103"
RAMIPRIL = "42381611000001104"
CLOZARIL = "3832011000001100"
AMOXICILLIN = "39732311000001104"
PRIADEL = "766311000001100"
LITHIUM_400_MR = "39110111000001103"
OMEPRAZOLE = "42356411000001102"
CO_CODAMOL = "42009811000001101"
PARACETAMOL = "42109611000001109"
AFTER_DISCHARGE = {"gp": datetime(2026, 3, 20, tzinfo=UTC)}
DECIDED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def state_of(*statements: object, times: dict[str, datetime] | None = None, name: str,
             decide_codes: dict[str, object] | None = None) -> tuple[AgreedState, Feed | None]:
    """A line's agreed state and the partner whose word settled it."""
    agreement = agreements_of(lists(*statements, times=times), decide_codes)[name]  # type: ignore[arg-type]
    return agreement.state, agreement.deciding.feed if agreement.deciding else None


def test_partners_that_all_list_the_same_version_agree() -> None:
    same = dosage("50mg each morning", "50", 1)
    assert state_of(stated("gp", "Sertraline 50mg", SERTRALINE_50, dosages=(same,)),
                    stated("acute", "Sertraline 50mg", SERTRALINE_50, dosages=(same,), change=("continued", None)),
                    name="Sertraline") == (AgreedState.AGREED, Feed.ACUTE)


def test_a_stop_for_a_bleed_that_the_practice_still_lists_afterwards_is_not_agreed() -> None:
    state = state_of(stated("gp", "Naproxen", NAPROXEN),
                     stated("acute", "Naproxen", NAPROXEN, status="stopped", reason="Gastrointestinal bleed", discontinued=True),
                     times=AFTER_DISCHARGE, name="Naproxen")
    assert state == (AgreedState.NOT_AGREED, Feed.ACUTE)


def test_a_documented_stop_newer_than_every_listing_is_stopped_and_an_undocumented_one_is_not_agreed() -> None:
    assert state_of(stated("gp", "Naproxen", NAPROXEN),
                    stated("acute", "Naproxen", NAPROXEN, status="stopped", reason="Gastrointestinal bleed", discontinued=True),
                    name="Naproxen") == (AgreedState.STOPPED, Feed.ACUTE)
    assert state_of(stated("gp", "Naproxen", NAPROXEN), stated("acute", "Naproxen", NAPROXEN, status="stopped", discontinued=True),
                    name="Naproxen") == (AgreedState.NOT_AGREED, Feed.ACUTE)


def test_a_medicine_put_on_hold_at_discharge_is_paused_not_stopped() -> None:
    assert state_of(stated("gp", "Ramipril", RAMIPRIL),
                    stated("acute", "Ramipril", RAMIPRIL, status="on-hold", reason="Acute kidney injury", change=("on-hold", "AKI")),
                    name="Ramipril") == (AgreedState.ON_HOLD, Feed.ACUTE)


def test_a_documented_dose_change_at_discharge_is_changed_until_a_later_message_contradicts_it() -> None:
    fifty, hundred = dosage("50mg each morning", "50", 1), dosage("100mg each morning", "100", 1)
    statements = (stated("gp", "Sertraline 50mg", SERTRALINE_50, dosages=(fifty,)),
                  stated("acute", "Sertraline 100mg", SERTRALINE_100, dosages=(hundred,), change=("amended", "Low mood persisting")))
    assert state_of(*statements, name="Sertraline") == (AgreedState.CHANGED, Feed.ACUTE)
    assert state_of(*statements, times=AFTER_DISCHARGE, name="Sertraline") == (AgreedState.NOT_AGREED, Feed.GP)


def test_doses_that_differ_with_no_reason_are_not_agreed() -> None:
    assert state_of(stated("gp", "Sertraline 50mg", SERTRALINE_50, dosages=(dosage("50mg", "50", 1),)),
                    stated("acute", "Sertraline 100mg", SERTRALINE_100, dosages=(dosage("100mg", "100", 1),), change=("amended", None)),
                    name="Sertraline")[0] is AgreedState.NOT_AGREED


def test_a_course_that_ended_before_today_is_finished_not_current() -> None:
    assert state_of(stated("acute", "Amoxicillin", AMOXICILLIN, change=("added", "Pneumonia"), ended="2026-03-11"),
                    name="Amoxicillin") == (AgreedState.COURSE_FINISHED, Feed.ACUTE)
    assert state_of(stated("acute", "Amoxicillin", AMOXICILLIN, change=("added", "Pneumonia"), ended="2026-12-11"),
                    name="Amoxicillin")[0] is AgreedState.CHANGED


def test_clozapine_only_the_trust_prescribes_is_current_while_the_gp_omission_stays_open() -> None:
    agreement = agreements_of(lists(stated("mental-health", "Clozaril", CLOZARIL, prescriber=PrescriberOfRecord.ANOTHER_ORGANISATION),
                                    feeds=("gp", "mental-health"), times={"gp": datetime(2026, 4, 1, tzinfo=UTC)}))["Clozapine"]
    assert agreement.state is AgreedState.AGREED and agreement.version is not None
    assert agreement.version.prescriber is Feed.MENTAL_HEALTH
    assert [i.code for i in agreement.open_issues] == ["omission"]
    assert [p.says for p in agreement.positions] == [Says.LEAVES_OFF, Says.TAKES]


def test_a_discharge_newer_than_the_listings_that_leaves_a_medicine_off_is_not_agreed() -> None:
    agreement = agreements_of(lists(stated("gp", "Sertraline 50mg", SERTRALINE_50),
                                    stated("acute", "Omeprazole", OMEPRAZOLE)))["Sertraline"]
    assert (agreement.state, agreement.deciding.feed if agreement.deciding else None) == (AgreedState.NOT_AGREED, Feed.ACUTE)


def test_a_start_documented_at_discharge_that_the_practice_has_not_yet_added_is_current() -> None:
    assert state_of(stated("gp", "Sertraline", SERTRALINE_50),
                    stated("acute", "Omeprazole", OMEPRAZOLE, change=("added", "Bleeding duodenal ulcer")),
                    stated("acute", "Sertraline", SERTRALINE_50), times=AFTER_DISCHARGE,
                    name="Omeprazole") == (AgreedState.CHANGED, Feed.ACUTE)
    assert state_of(stated("gp", "Sertraline", SERTRALINE_50), stated("acute", "Omeprazole", OMEPRAZOLE, change=("added", None)),
                    stated("acute", "Sertraline", SERTRALINE_50), times=AFTER_DISCHARGE, name="Omeprazole")[0] is AgreedState.NOT_AGREED


def test_the_same_ingredient_twice_is_checked_before_either_is_taken() -> None:
    found = agreements_of(lists(stated("gp", "Co-codamol", CO_CODAMOL), stated("acute", "Co-codamol", CO_CODAMOL),
                                stated("acute", "Paracetamol", PARACETAMOL, change=("added", "Pain"))))
    assert {name: a.state for name, a in found.items()} == {"Codeine phosphate + paracetamol": AgreedState.NOT_AGREED,
                                                           "Paracetamol": AgreedState.NOT_AGREED}


def _decision(kind: ResolutionKind, **details: object) -> object:
    """A clinician's decision of 20 Nov 2026."""
    return decide(kind, reason="Checked with the patient and the ward", by="Pat Pharmacist", at=DECIDED_AT, intent="intentional",
                  **details)  # type: ignore[arg-type]


def test_a_clinicians_accepted_brand_is_agreed_as_that_partners_version() -> None:
    priadel, generic = stated("gp", "Priadel", PRIADEL), stated("acute", "Lithium carbonate", LITHIUM_400_MR, change=("continued", None))
    agreement = agreements_of(lists(priadel, generic), {"brand-switch": _decision(ResolutionKind.ACCEPT_FEED, accepted_feed="gp")})  # type: ignore[dict-item]
    assert agreement_summary(agreement["Lithium carbonate"]) == (AgreedState.AGREED, "Priadel", ResolutionKind.ACCEPT_FEED)


def test_a_clinician_can_mark_a_medicine_stopped_paused_or_record_a_new_version() -> None:
    feed_lists = lists(stated("gp", "Naproxen", NAPROXEN),
                       stated("acute", "Naproxen", NAPROXEN, status="stopped", reason="Gastrointestinal bleed", discontinued=True),
                       times=AFTER_DISCHARGE)
    stop = agreements_of(feed_lists, {"stopped-elsewhere": _decision(ResolutionKind.MARK_STOPPED)})["Naproxen"]  # type: ignore[dict-item]
    hold = agreements_of(feed_lists, {"stopped-elsewhere": _decision(ResolutionKind.MARK_ON_HOLD)})["Naproxen"]  # type: ignore[dict-item]
    version = NewVersion("Naproxen 250mg tablets", "250 mg", "twice a day", "by mouth", "with food")
    new = agreements_of(feed_lists, {"stopped-elsewhere": _decision(ResolutionKind.NEW_VERSION, new_version=version)})["Naproxen"]  # type: ignore[dict-item]
    assert (stop.state, hold.state, new.state) == (AgreedState.STOPPED, AgreedState.ON_HOLD, AgreedState.AGREED)
    assert new.version is not None and (new.version.product, new.version.how_to_take) == (
        "Naproxen 250mg tablets", "250 mg twice a day, by mouth. with food")


def test_a_dismissed_difference_leaves_the_newest_listing_agreed() -> None:
    feed_lists = lists(stated("gp", "Sertraline 50mg", SERTRALINE_50, dosages=(dosage("50mg", "50", 1),)),
                       stated("acute", "Sertraline 100mg", SERTRALINE_100, dosages=(dosage("100mg", "100", 1),)))
    agreement = agreements_of(feed_lists, {"dose": decide(ResolutionKind.DISMISS, reason="Same tablets, recorded twice", by="Pat",
                                                           at=DECIDED_AT)})["Sertraline"]
    assert agreement_summary(agreement) == (AgreedState.AGREED, "Sertraline 100mg", ResolutionKind.DISMISS)


def agreement_summary(agreement: object) -> tuple[object, object, object]:
    """(state, the agreed product, the kind of decision)."""
    return (agreement.state, agreement.version.product if agreement.version else None,  # type: ignore[attr-defined]
            agreement.decision.kind if agreement.decision else None)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("kind", "details", "message"), [
    (ResolutionKind.ACCEPT_FEED, {}, "the feed whose version is accepted is required"),
    (ResolutionKind.ACCEPT_FEED, {"accepted_feed": "pharmacy"}, "unknown feed 'pharmacy': the feeds are gp, mental-health, acute"),
    (ResolutionKind.NEW_VERSION, {}, "a new version needs its product, dose, frequency and route"),
    (ResolutionKind.NEW_VERSION, {"new_version": NewVersion("Naproxen", "", "twice a day", "by mouth")}, "its dose is required"),
    (ResolutionKind.MARK_STOPPED, {"accepted_feed": "gp"}, "a feed's version is only accepted by accept-feed"),
])
def test_a_decision_that_does_not_say_what_was_decided_is_refused(kind: ResolutionKind, details: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        decide(kind, reason="why", by="who", at=DECIDED_AT, intent="intentional", **details)  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_every_decision_but_a_dismissal_needs_its_intent_and_all_need_a_reason_and_a_name() -> None:
    for kind, kwargs, message in [(ResolutionKind.MARK_STOPPED, {"reason": "r", "by": "b"}, "say whether the difference was intentional "
                                                                                                "or unintentional"),
                                  (ResolutionKind.DISMISS, {"reason": " ", "by": "b"}, "a reason (say why) is required"),
                                  (ResolutionKind.DISMISS, {"reason": "r", "by": ""}, "who is recording this is required")]:
        with pytest.raises(InvalidRequest) as refused:
            decide(kind, at=DECIDED_AT, **kwargs)  # type: ignore[arg-type]
        assert str(refused.value) == message
