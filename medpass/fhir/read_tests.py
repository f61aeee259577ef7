"""Observations the monitoring rules need: today only the serum lithium level (LOINC 14334-7)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from medpass.domain.lab_results import LITHIUM_LEVEL, LITHIUM_LEVEL_LOINC, VALPROATE_ACKNOWLEDGEMENT, LabResult
from medpass.fhir.bundle_index import BundleIndex
from medpass.fhir.codes import SAFETY_RECORD_SYSTEM
from medpass.fhir.elements import codings

LOINC = "http://loinc.org"
#: Results that count: final or corrected ones, never preliminary, cancelled or entered in error.
_REPORTABLE = frozenset({"final", "amended", "corrected"})


def _kind(resource: dict[str, object]) -> str | None:
    """Which monitored result an Observation is, if any."""
    for coding in codings(resource.get("code")):
        if coding.system == LOINC and coding.code == LITHIUM_LEVEL_LOINC:
            return LITHIUM_LEVEL
        if coding.system == SAFETY_RECORD_SYSTEM and coding.code == VALPROATE_ACKNOWLEDGEMENT:
            return VALPROATE_ACKNOWLEDGEMENT
    return None


def read_tests(index: BundleIndex) -> tuple[LabResult, ...]:
    """Every reportable lithium level and valproate risk acknowledgement in the message, by its date."""
    found = []
    for entry in index.of_type("Observation"):
        resource = entry.resource
        kind = _kind(resource)
        if resource.get("status") not in _REPORTABLE or kind is None:
            continue
        taken = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start") or resource.get("issued")
        if not taken:
            continue
        quantity = resource.get("valueQuantity") or {}
        try:
            value = Decimal(str(quantity["value"])) if "value" in quantity else None
        except InvalidOperation:
            value = None
        found.append(LabResult(kind, str(taken)[:10], value, quantity.get("unit") or quantity.get("code")))
    return tuple(found)
