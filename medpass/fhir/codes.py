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
#: What a clinician decided about a discrepancy, on DetectedIssue.mitigation (domain/resolutions.py).
INTENT_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-intent"
ACCEPTED_FEED_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-accepted-feed"
KIND_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-resolution-kind"
NEW_VERSION_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-new-version"
MEDICINE_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/discrepancy-medicine"
NEW_VERSION_PARTS = ("product", "dose", "frequency", "route", "text")
#: Safety records medpass reads that have no sourced national code yet (see domain/lab_results.py).
SAFETY_RECORD_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/medication-safety-record"
FEED_SOURCE_PREFIX = "urn:medpass:feed:"
#: What a change-notification Task is about, and the business status medpass adds to an overdue one.
TASK_CODE_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/medication-change-notification"
TASK_BUSINESS_STATUS_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/notification-business-status"
TASK_DEFINITIONS: dict[TaskKind, tuple[str, str]] = {
    TaskKind.STARTED: ("Medicine started", "Another care partner started a medicine."),
    TaskKind.PAUSED: ("Medicine paused", "Another care partner put a medicine on hold: not to be taken until it is restarted."),
    TaskKind.STOPPED: ("Medicine stopped", "Another care partner stopped a medicine, or no longer lists it."),
    TaskKind.CHANGED: ("Medicine changed", "Another care partner changed a medicine's product, dose, frequency or route."),
    TaskKind.DISCREPANCY: ("High-severity discrepancy", "A change opened a high-severity discrepancy between the feeds."),
    TaskKind.MISSED_DOSES: ("Missed doses", "The patient's replies to dose reminders show repeated missed doses."),
}

#: The passport's sections that have no national code (current medicines use LOINC 10160-0): issue 9, point 1.
PASSPORT_SECTION_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/passport-section"
PASSPORT_SECTIONS: dict[str, tuple[str, str]] = {
    "check-with-care-team": ("Check these with your care team",
                             "Medicines the care partners disagree about, or that could do harm if taken as listed; "
                             "never medicines to take."),
    "paused": ("Paused", "Medicines put on hold: not to be taken until the patient is told to start again."),
    "stopped": ("Stopped", "Medicines stopped, with the reason, who stopped them and when."),
    "course-finished": ("Courses finished", "Courses whose end date has passed."),
    "safety-advice": ("Safety advice and monitoring", "Medicine-specific safety advice and blood tests due."),
}
#: The agreed state of a medicine in the reconciled List (domain/agreement.py).
AGREED_STATE_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/agreed-state"
AGREED_STATES: dict[str, tuple[str, str]] = {
    "agreed": ("Agreed", "Every partner that lists it agrees, or a clinician resolved the difference."),
    "changed": ("Changed", "Changed with a documented reason by the newest message, not contradicted since."),
    "not-agreed": ("Not agreed", "The partners disagree, or taking it as listed could harm, and no clinician has resolved it."),
    "on-hold": ("On hold", "Paused: not to be taken until the patient is told."),
    "stopped": ("Stopped", "Stopped, with the reason, by whom and when."),
    "course-finished": ("Course finished", "A course whose end date has passed."),
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
    DiscrepancyCode.UNCERTAIN_MATCH: (
        "Uncertain match",
        "An uncoded name near another active medicine that medpass would not match (look-alike names, or several "
        "candidates): they may be one medicine, perhaps taken twice.",
    ),
}


def discrepancy_code_system() -> dict[str, Any]:
    """The CodeSystem every DetectedIssue.code.coding of medpass is drawn from."""
    return _code_system("medication-discrepancy", DISCREPANCY_SYSTEM, "MedpassMedicationDiscrepancy",
                        "medpass medication discrepancy types",
                        "Differences medpass finds between the GP, mental-health and acute medication feeds (DOMAIN.md §3).",
                        {code.value: text for code, text in DEFINITIONS.items()})


def _code_system(identity: str, url: str, name: str, title: str, description: str,
                 concepts: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A complete CodeSystem medpass publishes, from its concepts (code: display, definition)."""
    return {"resourceType": "CodeSystem", "id": identity, "url": url, "name": name, "title": title, "status": "active",
            "content": "complete", "caseSensitive": True, "description": description,
            "concept": [{"code": code, "display": display, "definition": definition} for code, (display, definition) in concepts.items()]}


def passport_section_code_system() -> dict[str, Any]:
    """The CodeSystem of the passport's own sections."""
    return _code_system("passport-section", PASSPORT_SECTION_SYSTEM, "MedpassPassportSection", "medpass passport sections",
                        "Sections of the medication passport that have no national code (issue 9).", PASSPORT_SECTIONS)


def agreed_state_code_system() -> dict[str, Any]:
    """The CodeSystem of agreed states in the reconciled List."""
    return _code_system("agreed-state", AGREED_STATE_SYSTEM, "MedpassAgreedState", "medpass agreed states of a medicine",
                        "What medpass may tell people to do with a medicine (issue 9; docs/RECONCILIATION.md).", AGREED_STATES)


def safety_record_code_system() -> dict[str, Any]:
    """The CodeSystem feeds use to send safety records that have no sourced national code yet."""
    return _code_system("medication-safety-record", SAFETY_RECORD_SYSTEM, "MedpassMedicationSafetyRecord",
                        "medpass medication safety records",
                        "Records the safety rules read from the feeds, sent as an Observation with this code and the date it was made.",
                        {VALPROATE_ACKNOWLEDGEMENT: ("Valproate Annual Risk Acknowledgement completed",
                                                     "The annual risk acknowledgement for valproate (MHRA, valproate reproductive risks) "
                                                     "was completed on the Observation's effective date.")})


def task_code_system() -> dict[str, Any]:
    """The CodeSystem of change-notification Task codes (and the overdue business status)."""
    return _code_system("medication-change-notification", TASK_CODE_SYSTEM, "MedpassMedicationChangeNotification",
                        "medpass medication change notifications",
                        "Why medpass asked a care partner to look at a patient's medicines (issue 4: change notifications).",
                        {kind.value: text for kind, text in TASK_DEFINITIONS.items()})
