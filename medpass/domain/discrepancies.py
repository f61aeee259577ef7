"""Discrepancies between the feeds, each with its intent evidence and harm ranking (DOMAIN.md §3).

Every rule names its source. The feeds can only say whether a reason was recorded (documented) or not;
whether a change was intended is a clinician's call, recorded later as a resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medpass.domain.feeds import Feed
from medpass.domain.lines import Identified, Line


class DiscrepancyCode(StrEnum):
    """The codes of medpass's DetectedIssue CodeSystem."""

    OMISSION = "omission"
    ADDITION = "addition"
    STOPPED_ELSEWHERE = "stopped-elsewhere"
    DOSE = "dose"
    FREQUENCY = "frequency"
    ROUTE = "route"
    FORM = "form"
    BRAND_SWITCH = "brand-switch"
    DUPLICATE_INGREDIENT = "duplicate-ingredient"
    DUPLICATE_CLASS = "duplicate-class"
    MONITORING_DUE = "monitoring-due"
    INTERACTION = "interaction"
    DOSE_LIMIT = "dose-limit"
    ALLERGY_CONFLICT = "allergy-conflict"
    DEPOT_OVERDUE = "depot-overdue"
    UNCERTAIN_MATCH = "uncertain-match"


class Harm(StrEnum):
    """DetectedIssue.severity: how much harm the difference could do if it is a mistake."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


HARM_ORDER = {Harm.HIGH: 0, Harm.MODERATE: 1, Harm.LOW: 2}

#: Classes whose omission or change is high-harm in mental-health care (DOMAIN.md §1, §4: clozapine, lithium,
#: depots, antipsychotics).
HIGH_HARM_CLASSES = frozenset({"antipsychotic", "lithium", "valproate"})
#: What the mental-health feed lists: what the trust prescribes or monitors (issue 3; DOMAIN.md §1).
MENTAL_HEALTH_CLASSES = frozenset({"antipsychotic", "lithium", "valproate"})
#: Classes where two at once deserve advice (DOMAIN.md §3, level L4: two antipsychotics, two SSRIs).
DUPLICATE_CLASSES = frozenset({"antipsychotic", "ssri", "nsaid"})


@dataclass(frozen=True)
class Discrepancy:
    """One real difference, what it involves, and whether the feeds recorded a reason."""

    code: DiscrepancyCode
    harm: Harm
    medicine: str
    detail: str
    documented: bool
    implicated: tuple[str, ...]
    feeds: tuple[Feed, ...]
    key: str
    source: str

    def __post_init__(self) -> None:
        """Details are sentences: they start with a capital letter."""
        if self.detail and self.detail[0].islower():
            object.__setattr__(self, "detail", self.detail[0].upper() + self.detail[1:])

    @property
    def rank(self) -> tuple[int, str, str]:
        """Sort key: most harmful first, then by medicine and code."""
        return (HARM_ORDER[self.harm], self.medicine, self.code.value)


def feeds_of(members: list[Identified]) -> tuple[Feed, ...]:
    """The distinct feeds of some statements, in feed order."""
    present = {m.statement.feed for m in members}
    return tuple(feed for feed in Feed if feed in present)


def references_of(members: list[Identified]) -> tuple[str, ...]:
    """The references of some statements."""
    return tuple(m.statement.reference for m in members)


def feed_labels(feeds: tuple[Feed, ...] | list[Feed]) -> str:
    """'the GP practice and the acute hospital'."""
    names = [f"the {feed.label}" for feed in feeds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def agree(feeds: tuple[Feed, ...] | list[Feed], one: str, many: str) -> str:
    """The verb that agrees with a list of feeds: 'lists' for one, 'list' for several."""
    return one if len(feeds) == 1 else many


def harm_of(line: Line, default: Harm = Harm.MODERATE) -> Harm:
    """High for brand-critical, mental-health high-risk and high-alert medicines (reference/high_alert.csv: ISMP 2021
    community list and DOMAIN.md §3-4), whatever the dictionary knows of them; `default` otherwise."""
    return Harm.HIGH if line.brand_critical or line.classes & HIGH_HARM_CLASSES or line.high_alert else default


def listed_by(line: Line) -> str:
    """'Lithium carbonate (the GP practice and the mental-health trust)': a medicine and only the feeds listing it active."""
    return f"{line.name} ({feed_labels(feeds_of(line.active()))})"


def issue_key(code: DiscrepancyCode, line: Line | None, *parts: str) -> str:
    """A stable identity for a discrepancy, so a resolution can find it again after re-ingest."""
    return "|".join([code.value, *(line.key if line else ()), *parts])


def versions_of(line: Line) -> list[Identified]:
    """One active version per feed (the first it lists), for comparing feeds with each other."""
    seen: dict[Feed, Identified] = {}
    for member in line.active():
        seen.setdefault(member.statement.feed, member)
    return list(seen.values())


def line_discrepancy(
    code: DiscrepancyCode, harm: Harm, line: Line, members: list[Identified], detail: str, source: str, *key_parts: str
) -> Discrepancy:
    """A discrepancy about one line, implicating some of its statements, with no reason recorded."""
    return Discrepancy(
        code, harm, line.name, detail, False, references_of(members), feeds_of(members), issue_key(code, line, *key_parts), source
    )
