"""What one feed message changed: started, stopped, changed, against that feed's previous list."""

from __future__ import annotations

from medpass.domain.changes import ChangeKind, medication_changes
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList, FeedStatement
from medpass.reference.dictionary import medicines_dictionary
from tests.reconciliation_builders import TIMES, dosage, stated

LITHIUM_400 = "39110111000001103"
DICTIONARY = medicines_dictionary()


def acute(*statements: FeedStatement, known: bool = True) -> FeedList:
    """The hospital's list."""
    return FeedList(Feed.ACUTE, TIMES["acute"], known, statements)


def lithium(mg: str, times: int = 1, **kwargs: object) -> FeedStatement:
    """Lithium carbonate 400mg MR as the hospital states it."""
    return stated("acute", "Lithium carbonate 400mg modified-release tablets", LITHIUM_400,
                  dosages=(dosage(f"{mg} mg at night", mg, times),), **kwargs)  # type: ignore[arg-type]


def test_a_medicine_new_to_the_feeds_list_is_started_with_the_statement_as_focus() -> None:
    omeprazole = stated("acute", "Omeprazole 20mg capsules", dosages=(dosage("20 mg each morning"),))
    changes = medication_changes(acute(lithium("400")), acute(lithium("400"), omeprazole), DICTIONARY)
    assert [(c.kind, c.medicine, c.focus) for c in changes] == [(ChangeKind.STARTED, "Omeprazole 20mg capsules", omeprazole.reference)]
    assert "No reason was recorded" in changes[0].description and not changes[0].high_risk


def test_a_dose_change_is_changed_and_high_risk_for_lithium() -> None:
    changes = medication_changes(acute(lithium("400")), acute(lithium("800", reason="Level 0.3 mmol/L")), DICTIONARY)
    assert [c.kind for c in changes] == [ChangeKind.CHANGED]
    assert changes[0].high_risk and "was " in changes[0].detail and "now " in changes[0].detail
    assert "Reason recorded: Level 0.3 mmol/L" in changes[0].description


def test_the_same_prescription_sent_again_changes_nothing() -> None:
    assert medication_changes(acute(lithium("400")), acute(lithium("400")), DICTIONARY) == []


def test_a_medicine_stopped_or_dropped_from_the_list_is_stopped() -> None:
    stopped = lithium("400", status="stopped", reason="Toxicity")
    assert [(c.kind, c.focus) for c in medication_changes(acute(lithium("400")), acute(stopped), DICTIONARY)] == [
        (ChangeKind.STOPPED, stopped.reference)]
    before = lithium("400")
    dropped = medication_changes(acute(before), acute(), DICTIONARY)
    assert [(c.kind, c.focus) for c in dropped] == [(ChangeKind.STOPPED, before.reference)]
    assert "no longer on their list" in dropped[0].detail


def test_a_list_whose_medicines_are_not_known_changes_nothing() -> None:
    assert medication_changes(acute(lithium("400")), acute(known=False), DICTIONARY) == []


def test_a_first_list_counts_only_the_changes_it_declares() -> None:
    continued = stated("acute", "Sertraline 50mg tablets", change=("continued", None))
    added = stated("acute", "Amoxicillin 250mg capsules", change=("added", "Pneumonia"))
    discontinued = stated("acute", "Naproxen 500mg tablets", discontinued=True, reason="GI bleed")
    changes = medication_changes(None, acute(continued, added, discontinued), DICTIONARY)
    assert sorted((c.kind, c.medicine) for c in changes) == [
        (ChangeKind.STARTED, "Amoxicillin 250mg capsules"), (ChangeKind.STOPPED, "Naproxen 500mg tablets")]


def test_an_old_strength_discontinued_beside_the_new_one_is_not_a_stop() -> None:
    old = stated("acute", "Lithium carbonate 400mg modified-release tablets", LITHIUM_400, discontinued=True)
    new = lithium("800")
    assert [c.kind for c in medication_changes(None, acute(old, new), DICTIONARY)] == []


def test_entered_in_error_never_happened() -> None:
    assert medication_changes(acute(lithium("400")), acute(lithium("400"), lithium("800", status="entered-in-error")), DICTIONARY) == []


def test_a_hold_is_announced_as_a_pause_never_as_a_stop() -> None:
    held = lithium("400", status="on-hold", reason="Acute kidney injury", change=("on-hold", "Acute kidney injury"))
    declared = medication_changes(None, acute(held), DICTIONARY)
    against_previous = medication_changes(acute(lithium("400")), acute(held), DICTIONARY)
    assert [c.description for c in declared] == [
        "The acute hospital paused Lithium carbonate 400mg modified-release tablets: on hold, not to be taken until it is restarted. "
        "Reason recorded: Acute kidney injury."]
    assert [c.description for c in against_previous] == [
        "The acute hospital paused Lithium carbonate 400mg modified-release tablets: was 400 mg at night; now on hold, not to be taken "
        "until it is restarted. Reason recorded: Acute kidney injury."]


def test_a_dose_increase_is_said_as_a_dose_change_never_as_a_stop() -> None:
    (change,) = medication_changes(acute(lithium("400")), acute(lithium("800", reason="Level 0.3 mmol/L")), DICTIONARY)
    assert change.description == (
        "The acute hospital changed Lithium carbonate 400mg modified-release tablets: dose changed from 400 mg to 800 mg once a day "
        "(was Lithium carbonate 400mg modified-release tablets, 400 mg at night; now Lithium carbonate 400mg modified-release tablets, "
        "800 mg at night). Reason recorded: Level 0.3 mmol/L.")
