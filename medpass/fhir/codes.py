"""medpass's own FHIR identities: the canonical base, and the CodeSystem of discrepancy codes it publishes."""

from __future__ import annotations

from typing import Any

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.lab_results import VALPROATE_ACKNOWLEDGEMENT
from medpass.domain.tasks import TaskKind

#: Canonical base of what medpass defines (a deployment may serve these at its own address).
CANONICAL_BASE = "https://medpass.example/fhir"
DISCREPANCY_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/medication-discrepancy"
REASON_RECORDED_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-reason-recorded"
#: Safety records medpass reads that have no sourced national code yet (see domain/lab_results.py).
SAFETY_RECORD_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/medication-safety-record"
FEED_SOURCE_PREFIX = "urn:medpass:feed:"
#: What a change-notification Task is about, and the business status medpass adds to an overdue one.
TASK_CODE_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/medication-change-notification"
TASK_BUSINESS_STATUS_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/notification-business-status"
TASK_DEFINITIONS: dict[TaskKind, tuple[str, str]] = {
    TaskKind.STARTED: ("Medicine started", "Another care partner started a medicine."),
    TaskKind.STOPPED: ("Medicine stopped", "Another care partner stopped a medicine, or no longer lists it."),
    TaskKind.CHANGED: ("Medicine changed", "Another care partner changed a medicine's product, dose, frequency or route."),
    TaskKind.DISCREPANCY: ("High-severity discrepancy", "A change opened a high-severity discrepancy between the feeds."),
    TaskKind.MISSED_DOSES: ("Missed doses", "The patient's replies to dose reminders show repeated missed doses."),
}

DEFINITIONS: dict[DiscrepancyCode, tuple[str, str]] = {
    DiscrepancyCode.OMISSION: ("Omission", "Active in one feed, absent from a feed that should list it, with no record of a stop there."),
    DiscrepancyCode.ADDITION: (
        "Addition",
        "Started recently in one feed (Added, or after the others' newest message) and not yet on the others.",
    ),
    DiscrepancyCode.STOPPED_ELSEWHERE: ("Stopped elsewhere", "Stopped, discontinued or held in one feed, still active in another."),
    DiscrepancyCode.DOSE: ("Dose", "The same medicine at a different total daily dose."),
    DiscrepancyCode.FREQUENCY: ("Frequency", "The same medicine taken a different number of times a day."),
    DiscrepancyCode.ROUTE: ("Route", "The same medicine by a different route."),
    DiscrepancyCode.FORM: ("Form", "The same medicine in a different form, e.g. modified- vs immediate-release."),
    DiscrepancyCode.BRAND_SWITCH: ("Brand switch", "A brand-critical medicine on different brands."),
    DiscrepancyCode.DUPLICATE_INGREDIENT: ("Duplicate ingredient", "The same ingredient active twice."),
    DiscrepancyCode.DUPLICATE_CLASS: ("Duplicate class", "Two active medicines of the same flagged class (advisory)."),
    DiscrepancyCode.MONITORING_DUE: ("Monitoring due", "A blood test a safety rule requires is due or overdue."),
    DiscrepancyCode.INTERACTION: ("Interaction", "Two active medicines that a curated safety rule says interact."),
    DiscrepancyCode.DOSE_LIMIT: ("Dose limit", "A dose above the maximum a curated safety rule sets."),
    DiscrepancyCode.ALLERGY_CONFLICT: (
        "Allergy conflict",
        "An active medicine whose ingredient or class matches an allergy a feed recorded (refuted, inactive and "
        "'no known allergy' records excepted).",
    ),
    DiscrepancyCode.DEPOT_OVERDUE: (
        "Long-acting dose overdue",
        "A depot or other long-interval medicine whose next dose (last dose given plus its interval) is past due by "
        "more than the configured grace.",
    ),
}


def discrepancy_code_system() -> dict[str, Any]:
    """The CodeSystem every DetectedIssue.code.coding of medpass is drawn from."""
    return {
        "resourceType": "CodeSystem",
        "id": "medication-discrepancy",
        "url": DISCREPANCY_SYSTEM,
        "name": "MedpassMedicationDiscrepancy",
        "title": "medpass medication discrepancy types",
        "status": "active",
        "content": "complete",
        "caseSensitive": True,
        "description": "Differences medpass finds between the GP, mental-health and acute medication feeds (DOMAIN.md §3).",
        "concept": [
            {"code": code.value, "display": display, "definition": definition}
            for code, (display, definition) in DEFINITIONS.items()
        ],
    }


def safety_record_code_system() -> dict[str, Any]:
    """The CodeSystem feeds use to send safety records that have no sourced national code yet."""
    return {
        "resourceType": "CodeSystem",
        "id": "medication-safety-record",
        "url": SAFETY_RECORD_SYSTEM,
        "name": "MedpassMedicationSafetyRecord",
        "title": "medpass medication safety records",
        "status": "active",
        "content": "complete",
        "caseSensitive": True,
        "description": "Records the safety rules read from the feeds, sent as an Observation with this code and the date it was made.",
        "concept": [
            {
                "code": VALPROATE_ACKNOWLEDGEMENT,
                "display": "Valproate Annual Risk Acknowledgement completed",
                "definition": "The annual risk acknowledgement for valproate (MHRA, valproate reproductive risks) was completed on "
                "the Observation's effective date.",
            }
        ],
    }


def task_code_system() -> dict[str, Any]:
    """The CodeSystem of change-notification Task codes (and the overdue business status)."""
    return {
        "resourceType": "CodeSystem",
        "id": "medication-change-notification",
        "url": TASK_CODE_SYSTEM,
        "name": "MedpassMedicationChangeNotification",
        "title": "medpass medication change notifications",
        "status": "active",
        "content": "complete",
        "caseSensitive": True,
        "description": "Why medpass asked a care partner to look at a patient's medicines (issue 4: change notifications).",
        "concept": [{"code": kind.value, "display": display, "definition": definition}
                    for kind, (display, definition) in TASK_DEFINITIONS.items()],
    }
