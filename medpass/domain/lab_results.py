"""Blood test results the feeds carry, for the monitoring rules (DOMAIN.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: LOINC 14334-7 "Lithium [Moles/volume] in Serum or Plasma" (loinc.org): the serum lithium level.
LITHIUM_LEVEL_LOINC = "14334-7"
LITHIUM_LEVEL = "lithium-level"

#: The valproate Annual Risk Acknowledgement (MHRA, valproate reproductive risks). No SNOMED CT or LOINC code
#: for it could be sourced, so medpass publishes one (`fhir/codes.py`) for feeds to send it with, until a
#: national code is confirmed.
VALPROATE_ACKNOWLEDGEMENT = "valproate-annual-risk-acknowledgement"


@dataclass(frozen=True)
class LabResult:
    """One result: what was measured, when the sample was taken, and the value if sent."""

    kind: str
    taken_on: str
    value: Decimal | None = None
    unit: str | None = None
