"""What the Lists and the Composition of a message say: which List a statement is in, and whether the
message says what the patient's current medicines are at all (a list emptied as Nil Known says: none)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from medpass.domain.medications import ListKind, MedicationListState
from medpass.fhir.bundle_index import BundleIndex
from medpass.fhir.elements import codings, concept_text

#: SNOMED CT 1102191000000100 "Discontinued medications" (PRSB / Transfer of Care stopped-medicines List).
DISCONTINUED_LIST_CODE = "1102191000000100"
#: SNOMED CT 1102411000000102, the active medications List of a discharge summary.
ACTIVE_LIST_CODE = "1102411000000102"
#: SNOMED CT 933361000000108 "Medications and medical devices" (GP Connect List, PRSB section) and
#: LOINC 10160-0 "History of Medication use" (IPS / HL7 medication section).
MEDICATION_LIST_CODES = frozenset({"933361000000108", "10160-0"})

_MEDICATION_TYPES = frozenset({"MedicationStatement", "MedicationRequest"})

#: List.emptyReason / Composition.section.emptyReason (R4 and STU3 CodeSystem list-empty-reason) "nilknown": "clinical
#: judgment that there are no known items for this list after reasonable investigation" - a positive statement of none
#: (DOMAIN.md §2). Every other reason (notasked, withheld, unavailable, notstarted, closed, or none coded) is "not known".
NIL_KNOWN = "nilknown"
EMPTY_REASON_SYSTEMS = frozenset({"http://terminology.hl7.org/CodeSystem/list-empty-reason", "http://hl7.org/fhir/list-empty-reason"})


@dataclass
class ListReading:
    """Statement keys by the List they are in, and whether current medicines are known."""

    kind_by_key: dict[str, ListKind] = field(default_factory=dict)
    unknown_reasons: list[str] = field(default_factory=list)
    nil_known: bool = False
    medication_lists: int = 0
    has_document: bool = False
    has_medication_section: bool = False
    has_discharge_list: bool = False


def _code_kind(concept: Any) -> ListKind | None:
    """Which medication List a List.code or section.code names."""
    codes = {c.code for c in codings(concept)}
    if DISCONTINUED_LIST_CODE in codes:
        return ListKind.DISCONTINUED
    if ACTIVE_LIST_CODE in codes:
        return ListKind.ACTIVE
    if codes & MEDICATION_LIST_CODES:
        return ListKind.MEDICATIONS
    return None


def _says_nil_known(reason: Any) -> bool:
    """True when an emptyReason is coded nilknown in the list-empty-reason CodeSystem (NIL_KNOWN)."""
    return any(c.code == NIL_KNOWN and c.system in EMPTY_REASON_SYSTEMS for c in codings(reason))


def _empty(reason: Any, has_items: bool, what: str, reading: ListReading) -> None:
    """An empty medication List or section: Nil Known is a known list of none; any other reason is not known."""
    if _says_nil_known(reason) and not has_items:
        reading.nil_known = True
        return
    why = concept_text(reason) or "no reason given"
    reading.unknown_reasons.append(f"the medication {what} is empty ({why}): current medicines not known")


def _points_at_medicines(refs: list[Any], index: BundleIndex) -> bool:
    """True when any reference resolves to a medication resource or a medication List."""
    for ref in refs:
        target = index.resolve(ref.get("item") if isinstance(ref, dict) and "item" in ref else ref)
        if target is None:
            continue
        if target.get("resourceType") in _MEDICATION_TYPES:
            return True
        if target.get("resourceType") == "List" and _code_kind(target.get("code")) is not None:
            return True
    return False


def _read_list(resource: dict[str, Any], index: BundleIndex, reading: ListReading) -> None:
    """Record one List's membership and, for a current-medicines List, an emptyReason."""
    if resource.get("status") == "entered-in-error":
        return
    items = [e for e in resource.get("entry", []) or [] if isinstance(e, dict)]
    kind = _code_kind(resource.get("code"))
    if kind is None and _points_at_medicines(items, index):
        kind = ListKind.MEDICATIONS
    if kind is None:
        return
    reading.medication_lists += 1
    reading.has_discharge_list |= kind in (ListKind.ACTIVE, ListKind.DISCONTINUED)
    for item in items:
        target = index.resolve(item.get("item"))
        if target is not None:
            for key in index.keys_of(target):
                reading.kind_by_key[key] = kind
    if kind is not ListKind.DISCONTINUED and resource.get("emptyReason") is not None:
        _empty(resource.get("emptyReason"), bool(items), "List", reading)


def _sections(sections: Any) -> list[dict[str, Any]]:
    """Every section of a Composition, nested ones included."""
    found: list[dict[str, Any]] = []
    for section in sections or []:
        if isinstance(section, dict):
            found.append(section)
            found.extend(_sections(section.get("section")))
    return found


def _read_composition(resource: dict[str, Any], index: BundleIndex, reading: ListReading) -> None:
    """A document with no medication section, or an empty one, says nothing about current medicines."""
    reading.has_document = True
    for section in _sections(resource.get("section")):
        refs = [e for e in section.get("entry", []) or [] if isinstance(e, dict)]
        if _code_kind(section.get("code")) is None and not _points_at_medicines(refs, index):
            continue
        reading.has_medication_section = True
        if section.get("emptyReason") is not None and not refs:
            _empty(section.get("emptyReason"), False, "section", reading)


def read_lists(index: BundleIndex) -> ListReading:
    """Read every List and Composition of a message."""
    reading = ListReading()
    for entry in index.of_type("List"):
        _read_list(entry.resource, index, reading)
    for entry in index.of_type("Composition"):
        _read_composition(entry.resource, index, reading)
    if reading.has_document and not reading.has_medication_section:
        reading.unknown_reasons.append("the document has no medication section: current medicines not known")
    return reading


def list_state(reading: ListReading, medicines_listed: int) -> MedicationListState:
    """Known when the message lists medicines, or states Nil Known, and nothing says a list is not known or missing."""
    if reading.unknown_reasons:
        return MedicationListState(known=False, reason="; ".join(reading.unknown_reasons))
    if medicines_listed == 0 and not reading.nil_known:
        return MedicationListState(known=False, reason="the message carries no medication list: current medicines not known")
    return MedicationListState(known=True)


def is_discharge(bundle_type: str, reading: ListReading) -> bool:
    """A discharge summary in any envelope a hospital sends (DOMAIN.md §2): a FHIR `document` (Composition first), a
    Composition carried in a `message` Bundle (ITK3: the document inside it, or its resources directly) or in a
    `collection`, or the PRSB active / discontinued medications Lists (SNOMED 1102411000000102 / 1102191000000100)."""
    return bundle_type == "document" or reading.has_document or reading.has_discharge_list
