"""The medication passport: what a patient carries (DOMAIN.md §5: NICE NG5, the Discharge Medicines Service
dataset, My Medication Passport, the NPSA lithium pack). One model; FHIR, HTML and PDF are views of it.

Each medicine sits in the section its agreed state gives (domain/agreement.py): only agreed and documented
changes are "my medicines now"; what the partners disagree about is "check these with your care team" (never a
medicine to take); paused, stopped and finished courses have sections of their own. Every word is the patient's
voice (domain/patient_voice.py); dates read as dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from medpass.domain.agreement import AgreedState, LineAgreement, Says
from medpass.domain.change_words import describe_change, recorded_changes
from medpass.domain.dates import long_date
from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import StoredIssue
from medpass.domain.lines import FeedList, Identified, Line
from medpass.domain.medicine_advice import AdviceInputs, advice_for
from medpass.domain.next_dose import newest_dose, next_dose_due
from medpass.domain.patient_voice import check_text, issue_text, state_text, who
from medpass.domain.resolutions import ResolutionKind

#: Plain-English monitoring notes for the patient (DOMAIN.md §4; SPS lithium monitoring; NICE).
MONITORING_NOTES = {
    "lithium": "Lithium: a blood test for your lithium level every 3 months in the first year, then every 3 to 6 months; "
               "kidney and thyroid tests and weight every 6 months. Have the blood taken 12 hours after your dose.",
    "antipsychotic": "Antipsychotic: regular checks of weight, blood sugar and cholesterol with your care team.",
    "valproate": "Valproate: your care team reviews this medicine with you every year.",
}


class PassportSection(StrEnum):
    """Where a medicine appears on the passport, by its agreed state."""

    CURRENT = "current"
    CHECK = "check"
    PAUSED = "paused"
    STOPPED = "stopped"
    FINISHED = "finished"


SECTION_OF = {AgreedState.AGREED: PassportSection.CURRENT, AgreedState.CHANGED: PassportSection.CURRENT,
              AgreedState.NOT_AGREED: PassportSection.CHECK, AgreedState.ON_HOLD: PassportSection.PAUSED,
              AgreedState.STOPPED: PassportSection.STOPPED, AgreedState.COURSE_FINISHED: PassportSection.FINISHED}


@dataclass(frozen=True)
class PassportMedicine:
    """One medicine as the patient should understand it."""

    line: str
    name: str
    how_to_take: str
    prescribed_by: str
    section: PassportSection = PassportSection.CURRENT
    monitored_by: str | None = None
    what_for: str | None = None
    since: str | None = None
    last_dose: str | None = None
    next_due: str | None = None
    notes: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    brand: str | None = None
    codes: tuple[tuple[str, str, str], ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class PassportChange:
    """One change to the patient's medicines: when, what, why, and who said so."""

    date: str
    medicine: str
    what: str
    why: str
    who: str


@dataclass(frozen=True)
class PassportAllergy:
    """Something the patient cannot take, and what happens."""

    substance: str
    reaction: str


@dataclass(frozen=True)
class AllergyStatement:
    """A statement that no allergy is known ("No known drug allergies"), who recorded it and when."""

    text: str
    recorded_by: str
    recorded_on: str


@dataclass(frozen=True)
class Passport:
    """Everything the passport says, in the order a patient reads it."""

    nhs_number: str
    name: str
    birth_date: str | None
    gp_practice: str
    made_at: datetime
    medicines: tuple[PassportMedicine, ...]
    check: tuple[PassportMedicine, ...]
    paused: tuple[PassportMedicine, ...]
    stopped: tuple[PassportMedicine, ...]
    finished: tuple[PassportMedicine, ...]
    allergies: tuple[PassportAllergy, ...]
    allergy_statements: tuple[AllergyStatement, ...]
    changes: tuple[PassportChange, ...]
    monitoring: tuple[str, ...]
    contacts: tuple[tuple[str, str], ...]
    not_known: tuple[str, ...]
    changes_since_last: tuple[str, ...] = field(default=())
    version: int = 1

    @property
    def made_on(self) -> str:
        """The date it was made, as people read it."""
        return long_date(self.made_at)

    @property
    def born(self) -> str | None:
        """The date of birth, as people read it."""
        return long_date(self.birth_date) if self.birth_date else None

    @property
    def spaced_nhs_number(self) -> str:
        """'999 158 8132', as the NHS writes it."""
        return f"{self.nhs_number[:3]} {self.nhs_number[3:6]} {self.nhs_number[6:]}"

    @property
    def sections(self) -> dict[PassportSection, tuple[PassportMedicine, ...]]:
        """Every medicine by section, in reading order."""
        return {PassportSection.CHECK: self.check, PassportSection.CURRENT: self.medicines, PassportSection.PAUSED: self.paused,
                PassportSection.STOPPED: self.stopped, PassportSection.FINISHED: self.finished}


@dataclass(frozen=True)
class PassportInputs:
    """What a passport is made from: the patient, their feeds' lists, the agreed state of every medicine."""

    nhs_number: str
    name: str
    birth_date: str | None
    gp_practice: str
    lists: tuple[FeedList, ...]
    agreements: tuple[LineAgreement, ...]
    allergies: tuple[PassportAllergy, ...]
    allergy_statements: tuple[AllergyStatement, ...]
    advice: AdviceInputs
    today: date


def prescriber_words(feed: Feed | None, gp_practice: str) -> str:
    """'your GP practice (Testbed Lane Surgery)', 'your mental-health team', 'the hospital', 'another organisation'."""
    return f"your GP practice ({gp_practice})" if feed is Feed.GP else who(feed)


def _what_for(line: Line) -> str | None:
    """What a medicine is for: the indication a feed sent, else the reason a discharge gave for starting it."""
    for member in line.members:
        if member.statement.entry.indication:
            return member.statement.entry.indication
    for member in line.members:
        change = member.statement.entry.change
        if change is not None and change.status.value == "added" and change.reason:
            return change.reason
    return None


def _issue_notes(agreement: LineAgreement, issues: tuple[StoredIssue, ...], lines_of: dict[str, Line]) -> tuple[str, ...]:
    """The patient's sentences for some open findings about a medicine (its state's own words are said elsewhere)."""
    notes = []
    for issue in issues:
        others = tuple(dict.fromkeys(lines_of[r] for r in issue.implicated if r in lines_of and lines_of[r] is not agreement.line))
        text = issue_text(issue, agreement.line, others, agreement)
        if text:
            notes.append(text)
    return tuple(dict.fromkeys(notes))


#: Findings that "check these" already says partner by partner (who lists it, who leaves it off).
_SAID_BY_POSITIONS = frozenset({DiscrepancyCode.OMISSION.value, DiscrepancyCode.ADDITION.value})


def _medicine(agreement: LineAgreement, inputs: PassportInputs, lines_of: dict[str, Line]) -> PassportMedicine:
    """One line in the patient's words, in the section its agreed state gives."""
    section = SECTION_OF[agreement.state]
    version = agreement.version
    source = version.source if version else None
    entry = source.statement.entry if source else agreement.line.members[0].statement.entry
    dosed = newest_dose(agreement.line) or next((m for m in agreement.line.members if m.statement.entry.last_dose_date), None)
    if section is PassportSection.CHECK:  # who lists it and who leaves it off is said position by position
        harm = _issue_notes(agreement, agreement.harm_if_taken, lines_of)
        others = tuple(i for i in agreement.open_issues if i.code not in _SAID_BY_POSITIONS)
        notes = check_text(agreement, tuple(dict.fromkeys(harm + _issue_notes(agreement, others, lines_of))))
    elif section is PassportSection.CURRENT:
        notes = state_text(agreement) + _issue_notes(agreement, agreement.open_issues, lines_of)
    else:  # paused, stopped, finished: what to do is in its state's words; findings about taking it do not apply
        notes = state_text(agreement)
    return PassportMedicine(
        line=agreement.name,
        name=version.product if version else entry.medicine.name,
        how_to_take=(version.how_to_take if version and version.how_to_take else "Ask your pharmacist: no instructions were sent"),
        prescribed_by=prescriber_words(version.prescriber if version else None, inputs.gp_practice),
        section=section,
        monitored_by=who(version.monitor) if version and version.monitor else None,
        what_for=_what_for(agreement.line),
        since=long_date(entry.effective_start) if entry.effective_start else None,
        last_dose=long_date(dosed.statement.entry.last_dose_date) if dosed else None,
        next_due=_next_due(dosed, section),
        notes=notes,
        advice=advice_for(agreement.line, inputs.advice) if section in (PassportSection.CURRENT, PassportSection.CHECK) else (),
        brand=source.product.brand if source and source.product and source.product.brand else None,
        codes=tuple((c.system, c.code, c.display or "") for c in entry.medicine.codings if c.system and c.code),
        source=source.statement.reference if source else None,
    )


def _next_due(dosed: Identified | None, section: PassportSection) -> str | None:
    """When the next dose of a depot or other long-interval medicine is due, for a medicine taken now."""
    due = next_dose_due(dosed.statement.entry) if dosed is not None and section is PassportSection.CURRENT else None
    return long_date(due) if due else None


def _feed_changes(agreement: LineAgreement) -> list[tuple[str, PassportChange]]:
    """Each change a partner recorded for a medicine, in the patient's words, with its ISO date for ordering."""
    return [(c.on, PassportChange(long_date(c.on), c.medicine, c.what[:1].upper() + c.what[1:], c.reason or "No reason was recorded",
                                  who(c.feed))) for c in recorded_changes(agreement)]


def _decision_change(agreement: LineAgreement) -> PassportChange | None:
    """A clinician's decision about a medicine, said as what it changed for the patient."""
    decision = agreement.decision
    if decision is None or decision.kind is ResolutionKind.DISMISS:
        return None
    version = agreement.version
    if decision.kind is ResolutionKind.MARK_STOPPED:
        what = "Stopped"
    elif decision.kind is ResolutionKind.MARK_ON_HOLD:
        what = "Paused"
    elif decision.kind is ResolutionKind.ACCEPT_FEED and version is not None and version.source is not None:
        others = [p for p in agreement.positions if p.says is Says.TAKES and p.feed is not decision.accepted_feed]
        said = describe_change(max(others, key=lambda p: p.message_time).members[0], version.source) if others else ""
        what = said[:1].upper() + said[1:] if said else f"Agreed: {version.product}, {version.how_to_take}"
    else:
        what = f"Agreed: {version.product}, {version.how_to_take}" if version else "Agreed"
    return PassportChange(long_date(decision.at), agreement.name, what, decision.reason, "your care team")


def _changes(agreements: tuple[LineAgreement, ...]) -> list[PassportChange]:
    """Every change the feeds recorded and every clinician decision, newest first."""
    found: list[tuple[str, PassportChange]] = []
    for agreement in agreements:
        found += _feed_changes(agreement)
        decided = _decision_change(agreement)
        if decided is not None and agreement.decision is not None:
            found.append((agreement.decision.at.date().isoformat(), decided))
    unique = {(c.date, c.medicine, c.what, c.who): (when, c) for when, c in found}
    return [c for _, c in sorted(unique.values(), key=lambda pair: (pair[0], pair[1].medicine), reverse=True)]


def _not_known(lists: tuple[FeedList, ...]) -> list[str]:
    """Feeds whose current list does not say what the patient takes."""
    return [
        f"The {feed_list.feed.label}'s record of {long_date(feed_list.message_time)} did not list your medicines, "
        "so changes made there may be missing."
        for feed_list in lists
        if not feed_list.known
    ]


def _previous_by_line(previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The last passport's medicines by line (older passports, without sections, by name)."""
    found: dict[str, dict[str, Any]] = {}
    for key in ("medicines", "check", "paused", "stopped", "finished"):
        for medicine in previous.get(key) or []:
            found[medicine.get("line") or medicine["name"]] = {**medicine, "section": medicine.get("section") or
                                                             (PassportSection.CURRENT.value if key == "medicines" else key)}
    return found


_MOVED_TO = {PassportSection.CURRENT: "now agreed: take it as shown", PassportSection.CHECK: "now to be checked with your care team",
             PassportSection.PAUSED: "paused", PassportSection.STOPPED: "stopped", PassportSection.FINISHED: "course finished"}


def compare_with_last(current: list[PassportMedicine], previous: dict[str, Any] | None) -> tuple[str, ...]:
    """'Changes since your last passport', medicine by medicine: new, moved between sections, brand or dose changed."""
    if previous is None:
        return ()
    before = _previous_by_line(previous)
    notes = []
    for medicine in current:
        was = before.get(medicine.line) or before.get(medicine.name)
        if was is None:
            if medicine.section is PassportSection.CURRENT:
                notes.append(f"New: {medicine.name}, {medicine.how_to_take}")
            else:
                notes.append(f"{medicine.line}: {_MOVED_TO[medicine.section]}")
        elif was["section"] != medicine.section.value:
            notes.append(f"{medicine.line}: {_MOVED_TO[medicine.section]}")
        elif medicine.section is PassportSection.CURRENT:
            if medicine.brand and was.get("brand") != medicine.brand:
                notes.append(f"{medicine.line}: brand changed to {medicine.brand}")
            elif was.get("how_to_take") != medicine.how_to_take:
                notes.append(f"Now taken differently: {medicine.name}: {medicine.how_to_take}")
    shown = {m.line for m in current} | {m.name for m in current}
    notes += [f"No longer listed: {was['name']}" for line, was in before.items() if line not in shown and was["name"] not in shown]
    return tuple(notes) or ("No changes since your last passport.",)


def build_passport(inputs: PassportInputs, made_at: datetime, previous: dict[str, Any] | None, version: int) -> Passport:
    """Make the passport: each medicine in its section, the changes and why, allergies, advice and contacts."""
    lines_of = {m.statement.reference: a.line for a in inputs.agreements for m in a.line.members}
    shown = [_medicine(a, inputs, lines_of) for a in inputs.agreements if a.version is not None or a.state is not AgreedState.NOT_AGREED]
    by_section = {section: tuple(m for m in shown if m.section is section) for section in PassportSection}
    current = [a for a in inputs.agreements if a.state.is_current or a.state is AgreedState.NOT_AGREED]
    classes = set().union(*(a.line.classes for a in current)) if current else set()
    monitoring = [MONITORING_NOTES[c] for c in sorted(classes) if c in MONITORING_NOTES]
    monitoring += [f"{m.name}: last injection {m.last_dose}." for m in by_section[PassportSection.CURRENT] if m.last_dose]
    contacts = [("Your GP practice", inputs.gp_practice)]
    if any(feed_list.feed is Feed.MENTAL_HEALTH for feed_list in inputs.lists):
        contacts.append(("Your mental-health team", "the number is on your care plan"))
    contacts.append(("Urgent advice, day or night", "NHS 111"))
    return Passport(
        nhs_number=inputs.nhs_number, name=inputs.name, birth_date=inputs.birth_date,
        gp_practice=inputs.gp_practice, made_at=made_at, medicines=by_section[PassportSection.CURRENT],
        check=by_section[PassportSection.CHECK], paused=by_section[PassportSection.PAUSED], stopped=by_section[PassportSection.STOPPED],
        finished=by_section[PassportSection.FINISHED], allergies=inputs.allergies, allergy_statements=inputs.allergy_statements,
        changes=tuple(_changes(inputs.agreements)), monitoring=tuple(monitoring), contacts=tuple(contacts),
        not_known=tuple(_not_known(inputs.lists)), changes_since_last=compare_with_last(shown, previous), version=version,
    )
