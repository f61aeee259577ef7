"""A whole feed message once read: who it is about and what it says, in medpass's own terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medpass.domain.allergies import Allergy
from medpass.domain.errors import Issue
from medpass.domain.lab_results import LabResult
from medpass.domain.medications import MedicationEntry, MedicationListState
from medpass.domain.patients import Demographics


@dataclass(frozen=True)
class FeedMessage:
    """What one message said about one patient at one time."""

    fhir_version: str
    bundle_type: str
    #: The message is a discharge summary, in whatever envelope it came (document, message, collection): a discharge
    #: lists every medicine the patient leaves on, so what it leaves off is an omission (DOMAIN.md §1-2).
    is_discharge: bool
    demographics: Demographics
    asserted_at: datetime | None
    medications: tuple[MedicationEntry, ...]
    medication_list: MedicationListState
    allergies: tuple[Allergy, ...]
    source_organisation: str | None = None
    warnings: tuple[Issue, ...] = ()
    tests: tuple[LabResult, ...] = ()
    #: The message says the patient is in hospital now (an inpatient Encounter in progress): reminders pause.
    inpatient: bool = False
