"""What medpass tells the patient, in plain English (issue 9, point 3: two voices, kept apart).

Every agreed state and every discrepancy code has a sentence for the patient here: no clinical shorthand, no
feed or code names, and each says what to do. The clinician's words live with the findings (the discrepancy
details) and in domain/clinician_voice.py. Dates read as dates ("8 April 2026").
"""

from __future__ import annotations

from medpass.domain.agreement import AgreedState, LineAgreement, Position, Says
from medpass.domain.change_words import describe_change
from medpass.domain.dates import long_date
from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import StoredIssue
from medpass.domain.lines import Line
from medpass.domain.medicine_advice import dangerous_to_stop
from medpass.domain.next_dose import newest_dose, next_dose_due

_WHO = {Feed.GP: "your GP practice", Feed.MENTAL_HEALTH: "your mental-health team", Feed.ACUTE: "the hospital"}
_WHOSE = {Feed.GP: "your GP practice's list", Feed.MENTAL_HEALTH: "your mental-health team's list",
          Feed.ACUTE: "the hospital's letter"}
_CLASS_WORDS = {"antipsychotic": "antipsychotic medicines", "ssri": "antidepressants of the same kind (SSRIs)",
                "nsaid": "anti-inflammatory painkillers (NSAIDs)"}


def who(feed: Feed | None) -> str:
    """'your GP practice', 'your mental-health team', 'the hospital', or 'another organisation'."""
    return _WHO[feed] if feed is not None else "another organisation"


def sentence(text: str) -> str:
    """A sentence starts with a capital letter."""
    return text[:1].upper() + text[1:] if text else text


def _how(position: Position) -> str:
    """What a listing says to take: 'Priadel 400mg modified-release tablets, 800mg at night'."""
    entry = position.members[0].statement.entry
    texts = "; ".join(dict.fromkeys(m.statement.entry.dosage_text for m in position.members if m.statement.entry.dosage_text))
    return f"{entry.medicine.name}, {texts}" if texts else entry.medicine.name


def says(position: Position) -> str:
    """One partner's position in words, with the date of its list."""
    when = long_date(position.message_time)
    if position.says is Says.TAKES:
        return sentence(f"{_WHOSE[position.feed]} of {when} has {_how(position)}.")
    if position.says is Says.LEAVES_OFF:
        return sentence(f"{_WHOSE[position.feed]} of {when} does not include it.")
    if position.says is Says.FINISHED:
        return sentence(f"{who(position.feed)} says the course finished on {long_date(position.changed_on)}.")
    verb = "paused" if position.says is Says.ON_HOLD else "stopped"
    because = f" because of: {position.reason}" if position.reason else " (no reason was recorded)"
    return sentence(f"{who(position.feed)} {verb} it on {long_date(position.changed_on)}{because}.")


def whom_to_ask(agreement: LineAgreement) -> str:
    """Who to check with: the partner who prescribes it, else a pharmacist."""
    prescriber = agreement.version.prescriber if agreement.version else None
    return f"{who(prescriber)} or your pharmacist" if prescriber in (Feed.GP, Feed.MENTAL_HEALTH) else "your GP practice or your pharmacist"


def check_text(agreement: LineAgreement, findings: tuple[str, ...]) -> tuple[str, ...]:
    """Why a medicine is under "Check these with your care team", and what to do: a documented stop comes first, then who
    says what, then the open findings (harm first), then what to do and whom to ask."""
    halted = [p for p in agreement.positions if p.says in (Says.STOPPED, Says.ON_HOLD) and p.reason]
    first: list[str] = []
    if halted:
        stop = max(halted, key=lambda p: p.message_time)
        verb = "paused" if stop.says is Says.ON_HOLD else "stopped"
        first.append(sentence(f"{who(stop.feed)} {verb} this medicine on {long_date(stop.changed_on)} because of: {stop.reason}. "
                              "Do not take it until you have checked."))
    said = [says(p) for p in agreement.positions if not (halted and p in halted)]
    what_to_do = [] if halted else ["Do not stop or change it until you have checked." if dangerous_to_stop(agreement.line)
                                    else "Check before you take it."]
    return (*first, *said, *findings, *what_to_do, sentence(f"ask {whom_to_ask(agreement)}."))


def state_text(agreement: LineAgreement) -> tuple[str, ...]:
    """What the patient is told about a medicine in its agreed state (other than "check")."""
    decided = agreement.decision
    deciding = agreement.deciding
    when = long_date(decided.at if decided else deciding.changed_on if deciding else None)
    by = "your care team" if decided else who(deciding.feed if deciding else None)
    reason = (decided.reason if decided else deciding.reason if deciding else None)
    because = f": {reason}" if reason else ""
    if agreement.state is AgreedState.ON_HOLD:
        return (f"Paused on {when} by {by}{because}.", "Do not take it until you are told to start it again.")
    if agreement.state is AgreedState.STOPPED:
        return (f"Stopped on {when} by {by}{because}.", "Do not take it unless you are told to start it again.")
    if agreement.state is AgreedState.COURSE_FINISHED:
        return (f"The course finished on {when}.",)
    if agreement.state is AgreedState.CHANGED:
        if deciding is not None and deciding.started_here:
            return (f"Started on {when} by {by}{because}.",)
        return (f"Changed on {when} by {by}{because}.", *change_words(agreement), *_not_yet_changed(agreement))
    if decided is not None:
        return (f"Checked and agreed by your care team on {when}.",)
    return ()


def _not_yet_changed(agreement: LineAgreement) -> tuple[str, ...]:
    """Older lists that still have the medicine as it was: the partner has been told (a change notification)."""
    deciding = agreement.deciding
    if deciding is None:
        return ()
    older = [p for p in agreement.positions if p.says is Says.TAKES and p.message_time < deciding.message_time
             and describe_change(p.members[0], deciding.members[0])]
    return tuple(sentence(f"{_WHOSE[p.feed]} of {long_date(p.message_time)} still has {_how(p)}. They have been told about the change.")
                 for p in older)


def change_words(agreement: LineAgreement) -> tuple[str, ...]:
    """How the newest version differs from the older partners' ones: 'Dose changed from 50 mg to 100 mg ...'."""
    deciding = agreement.deciding
    if deciding is None or not deciding.members:
        return ()
    older = [p for p in agreement.positions if p.says is Says.TAKES and p is not deciding]
    changes = dict.fromkeys(describe_change(p.members[0], deciding.members[0]) for p in older)
    return tuple(sentence(f"{c}.") for c in changes if c) or (("Started.",) if deciding.started_here else ())


def issue_text(issue: StoredIssue, line: Line, others: tuple[Line, ...], agreement: LineAgreement) -> str | None:
    """The patient's sentence for an open finding about a medicine; None where its agreed state already says it."""
    code = issue.code
    missing = [p for p in agreement.positions if p.says is Says.LEAVES_OFF]
    lists = " and ".join(f"{_WHOSE[p.feed]} of {long_date(p.message_time)}" for p in missing)
    if code == DiscrepancyCode.OMISSION.value:
        if not missing:
            return None
        if all(p.feed is Feed.GP for p in missing) and agreement.version and agreement.version.prescriber is Feed.MENTAL_HEALTH:
            return ("Your GP practice's record does not show this medicine, which your mental-health team prescribes. Your GP practice "
                    "has been asked to add it, so that other medicines can be checked against it.")
        return sentence(f"{lists} does not include this medicine. They have been asked to check it.")
    if code == DiscrepancyCode.ADDITION.value:
        if not missing:
            return None
        return sentence(f"{lists} does not include this medicine yet. They have been told about it: ask them to add it "
                        "before your supply runs out.")
    if code == DiscrepancyCode.DUPLICATE_INGREDIENT.value:
        if not others:
            twice = sorted({m.statement.feed for m in line.members if m.statement.reference in issue.implicated}, key=list(Feed).index)
            whose = " and ".join(_WHOSE[f] for f in twice) or "One list"
            return sentence(f"{whose} has it more than once. Check with your pharmacist which one you should take.")
        shared = sorted(line.ingredients & frozenset().union(*(o.ingredients for o in others)))
        names = " and ".join([line.name, *(o.name for o in others)])
        what = " and ".join(shared) or "the same medicine"
        return (f"{names} both contain {what}. Taking both as listed could give you too much {what}. "
                "Do not take them together until you have checked with your pharmacist or GP practice.")
    if code == DiscrepancyCode.DUPLICATE_CLASS.value:
        kinds = sorted(c for c in line.classes if c in _CLASS_WORDS)
        kind = _CLASS_WORDS[kinds[0]] if kinds else "medicines of the same kind"
        return f"You are listed as taking more than one of the {kind}. Your care team is checking that this is meant."
    if code == DiscrepancyCode.INTERACTION.value:
        partner = " and ".join(o.name for o in others) or "another of your medicines"
        return (f"This medicine and {partner} can affect each other. Your care team is checking; you may need an extra "
                "blood test or heart check. Do not stop either without talking to them.")
    if code == DiscrepancyCode.DOSE_LIMIT.value:
        return ("The dose listed is higher than the usual highest dose for someone of your age. Your care team is checking it. "
                "Do not change your dose yourself.")
    if code == DiscrepancyCode.MONITORING_DUE.value:
        if "valproate" in line.classes:
            return "Your yearly valproate review with your care team is due. Ask your mental-health team or GP practice to book it."
        return "A blood test for this medicine is due. Ask your mental-health team or GP practice when to have it."
    if code == DiscrepancyCode.DEPOT_OVERDUE.value:
        dosed = newest_dose(line)
        due = next_dose_due(dosed.statement.entry) if dosed else None
        when = f" on {long_date(due)}" if due else ""
        return f"Your next injection was due{when}. Contact your mental-health team today to arrange it."
    if code in (DiscrepancyCode.BRAND_SWITCH.value, DiscrepancyCode.FORM.value) and "lithium" in line.classes:
        if agreement.state is AgreedState.CHANGED:
            return ("Your lithium has changed to a different preparation. You need a lithium blood test after a change like this: "
                    "ask your mental-health team when.")
        return ("The lithium preparation or brand is not the same on every list. Lithium must be kept on one preparation: ask "
                "which one you should have before you collect your next supply.")
    if code == DiscrepancyCode.BRAND_SWITCH.value:
        return ("The brand is not the same on every list. This medicine must be kept on one brand: ask which brand you should have "
                "before you collect your next supply.")
    if code == DiscrepancyCode.UNCERTAIN_MATCH.value:
        names = " and ".join([line.name, *(o.name for o in others)])
        return (f"{names} may be the same medicine written in two ways, or two different medicines with similar names. "
                "Do not take both until your pharmacist or GP practice has checked which is meant.")
    if code == DiscrepancyCode.ALLERGY_CONFLICT.value:
        return ("You are recorded as having an allergy that this medicine may cause. Do not take it until you have checked "
                "with your GP practice or pharmacist.")
    if code in _STATE_CODES:
        return None
    return "Your care team is checking this medicine."


#: Findings the agreed state already tells the patient about (who says what, what changed).
_STATE_CODES = frozenset(c.value for c in (DiscrepancyCode.STOPPED_ELSEWHERE, DiscrepancyCode.DOSE, DiscrepancyCode.FREQUENCY,
                                            DiscrepancyCode.ROUTE, DiscrepancyCode.FORM))
