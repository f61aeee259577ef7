"""The medication passport: what a patient carries (DOMAIN.md §5: NICE NG5, the Discharge Medicines Service
dataset, My Medication Passport, the NPSA lithium pack). One model; FHIR, HTML and PDF are views of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import IssueStatus, StoredIssue
from medpass.domain.lines import FeedList, Identified, Line, current_in
from medpass.domain.medications import PrescriberOfRecord

#: Who monitors what (DOMAIN.md §4): the trust monitors lithium, clozapine and antipsychotics.
MONITORED_BY_TRUST = frozenset({"lithium", "antipsychotic", "valproate"})
#: Plain-English monitoring notes for the patient (DOMAIN.md §4; SPS lithium monitoring; NICE).
MONITORING_NOTES = {
    "lithium": "Lithium: a blood test for your lithium level every 3 months in the first year, then every 3 to 6 months; "
               "kidney and thyroid tests and weight every 6 months. Have the blood taken 12 hours after your dose.",
    "antipsychotic": "Antipsychotic: regular checks of weight, blood sugar and cholesterol with your care team.",
    "valproate": "Valproate: your care team reviews this medicine with you every year.",
}


@dataclass(frozen=True)
class PassportMedicine:
    """One medicine as the patient should understand it."""

    name: str
    how_to_take: str
    prescribed_by: str
    monitored_by: str | None = None
    last_dose: str | None = None
    since: str | None = None
    being_checked: str | None = None
    stopped_reason: str | None = None
    codes: tuple[tuple[str, str, str], ...] = ()
    source: str | None = None
    what_for: str | None = None


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
class Passport:
    """Everything the passport says, in the order a patient reads it."""

    nhs_number: str
    name: str
    birth_date: str | None
    gp_practice: str
    made_at: datetime
    medicines: tuple[PassportMedicine, ...]
    stopped: tuple[PassportMedicine, ...]
    allergies: tuple[PassportAllergy, ...]
    allergies_known: bool
    changes: tuple[PassportChange, ...]
    monitoring: tuple[str, ...]
    contacts: tuple[tuple[str, str], ...]
    not_known: tuple[str, ...]
    changes_since_last: tuple[str, ...] = field(default=())
    version: int = 1


def prescriber_of_record(line: Line, gp_practice: str) -> str:
    """Who prescribes it: the GP record's prescriber-of-record extension first, else the trust's, else who lists it.

    A hospital that continues a medicine at discharge is not its prescriber; the GP or the trust is.
    """
    ordered = sorted(line.members, key=lambda m: list(Feed).index(m.statement.feed))
    for member in ordered:
        if member.statement.entry.prescriber is PrescriberOfRecord.GP_PRACTICE:
            return f"your GP practice ({gp_practice})"
        if member.statement.entry.prescriber is PrescriberOfRecord.ANOTHER_ORGANISATION:
            return "your mental-health team" if line.in_feed(Feed.MENTAL_HEALTH) else "another organisation (see your letters)"
    feeds = {m.statement.feed for m in line.members}
    if Feed.GP in feeds:
        return f"your GP practice ({gp_practice})"
    return "your mental-health team" if Feed.MENTAL_HEALTH in feeds else "the hospital"


def agreed_version(line: Line, accepted: dict[tuple[str, ...], Feed]) -> Identified | None:
    """The version the passport shows: the feed a clinician accepted, else the newest feed's current version.

    A stop in a newer feed is never undone; an older feed's active entry never overrides it.
    """
    versions = {feed: found[0] for feed in Feed if (found := current_in(line, feed))}
    if not versions:
        return None
    if line.key in accepted and accepted[line.key] in versions:
        return versions[accepted[line.key]]
    return max(versions.values(), key=lambda m: m.statement.message_time)


def accepted_feeds(lines: tuple[Line, ...], issues: tuple[StoredIssue, ...]) -> dict[tuple[str, ...], Feed]:
    """For each line, the feed a clinician accepted when resolving a discrepancy about it."""
    by_reference = {m.statement.reference: line.key for line in lines for m in line.members}
    accepted: dict[tuple[str, ...], Feed] = {}
    for issue in issues:
        resolution = issue.resolution
        if issue.status is IssueStatus.RESOLVED and resolution and resolution.details.get("accepted_feed"):
            for reference in issue.implicated:
                if reference in by_reference:
                    accepted[by_reference[reference]] = Feed(resolution.details["accepted_feed"])
    return accepted


@dataclass(frozen=True)
class PassportInputs:
    """What a passport is made from."""

    nhs_number: str
    name: str
    birth_date: str | None
    gp_practice: str
    lists: tuple[FeedList, ...]
    lines: tuple[Line, ...]
    issues: tuple[StoredIssue, ...]
    allergies: tuple[PassportAllergy, ...]
    allergies_known: bool


_CHANGE_WORDS = {"added": "Started", "amended": "Changed", "on-hold": "Paused"}


def _medicine(member: Identified, line: Line, gp_practice: str, checking: dict[str, list[str]]) -> PassportMedicine:
    """A line's agreed version in the patient's words."""
    entry = member.statement.entry
    monitored = "your mental-health team" if line.classes & MONITORED_BY_TRUST else None
    notes = dict.fromkeys(note for m in line.members for note in checking.get(m.statement.reference, []))
    being_checked = ("Your care team is checking this: " + " ".join(notes)) if notes else None
    return PassportMedicine(
        name=entry.medicine.name,
        how_to_take=entry.dosage_text or "Ask your pharmacist: no instructions were sent",
        prescribed_by=prescriber_of_record(line, gp_practice),
        monitored_by=monitored,
        last_dose=entry.last_dose_date[:10] if entry.last_dose_date else None,
        since=(entry.effective_start or "")[:10] or None,
        being_checked=being_checked,
        stopped_reason=entry.status_reason if member.statement.is_stopped else None,
        codes=tuple((c.system, c.code, c.display or "") for c in entry.medicine.codings if c.system and c.code),
        source=member.statement.reference,
        what_for=_what_for(line),
    )


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


def _changes(lines: tuple[Line, ...], issues: tuple[StoredIssue, ...]) -> list[PassportChange]:
    """Every change the feeds recorded (PRSB change summary, stops) and every clinician decision, newest first."""
    found: list[PassportChange] = []
    for line in lines:
        for member in line.members:
            entry, feed = member.statement.entry, member.statement.feed
            when = member.statement.message_time.date().isoformat()
            if entry.change is not None and entry.change.status.value in _CHANGE_WORDS:
                found.append(PassportChange((entry.change.date_changed or when)[:10], entry.medicine.name,
                                            _CHANGE_WORDS[entry.change.status.value],
                                            entry.change.reason or "No reason was recorded", f"the {feed.label}"))
            elif member.statement.is_stopped:
                verb = "Paused" if entry.status == "on-hold" else "Stopped"
                found.append(PassportChange((entry.status_changed or when)[:10], entry.medicine.name, verb,
                                            entry.status_reason or "No reason was recorded", f"the {feed.label}"))
    for issue in issues:
        resolution = issue.resolution
        if resolution is not None:
            found.append(PassportChange(resolution.recorded_at.date().isoformat(), issue.medicine, "Checked",
                                        resolution.details.get("reason", ""), resolution.recorded_by))
    unique = {(c.date, c.medicine, c.what, c.who): c for c in found}
    return sorted(unique.values(), key=lambda c: (c.date, c.medicine), reverse=True)


def _not_known(lists: tuple[FeedList, ...]) -> list[str]:
    """Feeds whose current list does not say what the patient takes."""
    return [
        f"The {feed_list.feed.label}'s record of {feed_list.message_time.strftime('%d %B %Y')} did not list your medicines, "
        "so changes made there may be missing."
        for feed_list in lists
        if not feed_list.known
    ]


def compare_with_last(current: list[PassportMedicine], previous: list[dict[str, str]] | None) -> tuple[str, ...]:
    """'Changes since your last passport': medicines new, no longer listed, or taken differently."""
    if previous is None:
        return ()
    before = {m["name"]: m["how_to_take"] for m in previous}
    now = {m.name: m.how_to_take for m in current}
    notes = [f"New: {name}" for name in now if name not in before]
    notes += [f"Now taken differently: {name}: {now[name]}" for name in now if name in before and before[name] != now[name]]
    notes += [f"No longer listed: {name}" for name in before if name not in now]
    return tuple(notes) or ("No changes since your last passport.",)


def build_passport(inputs: PassportInputs, made_at: datetime, previous: list[dict[str, str]] | None, version: int) -> Passport:
    """Make the passport: current medicines (the agreed version of each), stopped ones, changes and why."""
    accepted = accepted_feeds(inputs.lines, inputs.issues)
    checking: dict[str, list[str]] = {}
    for issue in inputs.issues:
        if issue.status is IssueStatus.OPEN:
            for reference in issue.implicated:
                checking.setdefault(reference, []).append(issue.detail)
    medicines: list[PassportMedicine] = []
    stopped: list[PassportMedicine] = []
    classes: set[str] = set()
    for line in inputs.lines:
        agreed = agreed_version(line, accepted)
        if agreed is None:
            continue
        shown = _medicine(agreed, line, inputs.gp_practice, checking)
        if agreed.statement.is_active:
            medicines.append(shown)
            classes |= line.classes
        elif agreed.statement.is_stopped:
            stopped.append(shown)
    monitoring = [MONITORING_NOTES[c] for c in sorted(classes) if c in MONITORING_NOTES]
    monitoring += [f"{m.name}: last injection {m.last_dose}." for m in medicines if m.last_dose]
    contacts = [("Your GP practice", inputs.gp_practice)]
    if any(feed_list.feed is Feed.MENTAL_HEALTH for feed_list in inputs.lists):
        contacts.append(("Your mental-health team", "the number is on your care plan"))
    contacts.append(("Urgent advice, day or night", "NHS 111"))
    return Passport(
        nhs_number=inputs.nhs_number, name=inputs.name, birth_date=inputs.birth_date, gp_practice=inputs.gp_practice,
        made_at=made_at, medicines=tuple(medicines), stopped=tuple(stopped), allergies=inputs.allergies,
        allergies_known=inputs.allergies_known, changes=tuple(_changes(inputs.lines, inputs.issues)),
        monitoring=tuple(monitoring), contacts=tuple(contacts), not_known=tuple(_not_known(inputs.lists)),
        changes_since_last=compare_with_last(medicines, previous), version=version,
    )
