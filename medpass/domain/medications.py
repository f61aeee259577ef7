"""One feed's view of one medicine: the internal model every FHIR shape is mapped to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from medpass.domain.medicines import Coding, Medicine

#: FHIR R4 MedicationStatement.status (required binding), the vocabulary every entry is stored in.
STATEMENT_STATUSES = frozenset(
    {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"}
)

#: R4 MedicationRequest.status read as a statement status (R4 'medicationrequest-status' to
#: 'medication-statement-status': cancelled means it never went ahead, draft is only intended).
REQUEST_TO_STATEMENT_STATUS = {
    "active": "active",
    "on-hold": "on-hold",
    "cancelled": "stopped",
    "completed": "completed",
    "entered-in-error": "entered-in-error",
    "stopped": "stopped",
    "draft": "intended",
    "unknown": "unknown",
}


class PrescriberOfRecord(StrEnum):
    """UK Core MedicationPrescribingOrganizationType / GP Connect PrescribingAgency codes."""

    GP_PRACTICE = "prescribed-at-gp-practice"
    ANOTHER_ORGANISATION = "prescribed-by-another-organisation"


class ChangeStatus(StrEnum):
    """PRSB / Transfer of Care change summary status; 'stopped' is not one (it has its own List)."""

    CONTINUED = "continued"
    ADDED = "added"
    AMENDED = "amended"
    ON_HOLD = "on-hold"


class ListKind(StrEnum):
    """Which medication List an entry was listed in."""

    MEDICATIONS = "medications"
    ACTIVE = "active"
    DISCONTINUED = "discontinued"


@dataclass(frozen=True)
class ChangeSummary:
    """What a discharge summary says changed about a medicine, and why (if it says)."""

    status: ChangeStatus
    reason: str | None = None
    date_changed: str | None = None
    details: str | None = None


@dataclass(frozen=True)
class Dosage:
    """How the medicine is taken: the sender's text always, structured parts where present."""

    text: str | None = None
    patient_instruction: str | None = None
    frequency: int | None = None
    period: Decimal | None = None
    period_unit: str | None = None
    when: tuple[str, ...] = ()
    time_of_day: tuple[str, ...] = ()
    route: Coding | None = None
    dose_value: Decimal | None = None
    dose_unit: str | None = None
    as_needed: bool = False
    day_of_week: tuple[str, ...] = ()


@dataclass(frozen=True)
class MedicationEntry:
    """One medicine in one feed message, mapped from a MedicationStatement or MedicationRequest."""

    source_type: str
    source_id: str | None
    status: str
    source_status: str
    medicine: Medicine
    dosages: tuple[Dosage, ...] = ()
    status_reason: str | None = None
    status_changed: str | None = None
    effective_start: str | None = None
    effective_end: str | None = None
    date_asserted: str | None = None
    prescriber: PrescriberOfRecord | None = None
    prescriber_detail: str | None = None
    change: ChangeSummary | None = None
    last_issue_date: str | None = None
    last_dose_date: str | None = None
    plan_id: str | None = None
    prior_plan_id: str | None = None
    list_kind: ListKind | None = None
    category: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    indication: str | None = None

    @property
    def dosage_text(self) -> str | None:
        """All the dosage texts the sender wrote, joined; never invented."""
        texts = [d.text for d in self.dosages if d.text]
        return "; ".join(texts) if texts else None


@dataclass(frozen=True)
class MedicationListState:
    """Whether a message says what the patient's current medicines are.

    A List with emptyReason, or a document without a medication section, means "not known" and never
    "no medicines" (DOMAIN.md section 2; UK Core List; PRSB mental-health discharge).
    """

    known: bool
    reason: str | None = None
