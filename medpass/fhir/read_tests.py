"""Observations the monitoring rules need: today only the serum lithium level (LOINC 14334-7)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from medpass.domain.lab_results import LITHIUM_LEVEL, LITHIUM_LEVEL_LOINC, LabResult
from medpass.fhir.bundle_index import BundleIndex
from medpass.fhir.elements import codings

LOINC = "http://loinc.org"
#: Results that count: final or corrected ones, never preliminary, cancelled or entered in error.
_REPORTABLE = frozenset({"final", "amended", "corrected"})


def read_tests(index: BundleIndex) -> tuple[LabResult, ...]:
    """Every reportable lithium level in the message, by the date the sample was taken."""
    found = []
    for entry in index.of_type("Observation"):
        resource = entry.resource
        if resource.get("status") not in _REPORTABLE:
            continue
        if not any(c.system == LOINC and c.code == LITHIUM_LEVEL_LOINC for c in codings(resource.get("code"))):
            continue
        taken = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start") or resource.get("issued")
        if not taken:
            continue
        quantity = resource.get("valueQuantity") or {}
        try:
            value = Decimal(str(quantity["value"])) if "value" in quantity else None
        except InvalidOperation:
            value = None
        found.append(LabResult(LITHIUM_LEVEL, str(taken)[:10], value, quantity.get("unit") or quantity.get("code")))
    return tuple(found)
