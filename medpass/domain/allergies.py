"""Allergies and intolerances as a feed recorded them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from medpass.domain.feeds import Feed
from medpass.domain.medicines import Medicine

#: "No known allergy" is a statement, not an allergy (DOMAIN.md §3): SNOMED CT 716186003 No known allergy, 409137002 No
#: known drug allergy, 716184000 No known latex allergy (HL7 FHIR R4 examples allergyintolerance-nka, -nkda, -nkla),
#: 429625007 No known food allergy (HL7 C-CDA on FHIR ConceptMap FC-NoKnownAllergies), 428607008 No known environmental
#: allergy [check], and the IPS absent-or-unknown allergy codes (HL7 IPS ValueSet absent-or-unknown-allergies-uv-ips).
NO_KNOWN_ALLERGY_CODES = frozenset({
    "716186003", "409137002", "716184000", "429625007", "428607008",
    "no-known-allergies", "no-known-medication-allergies", "no-known-environmental-allergies", "no-known-food-allergies",
})
_NO_KNOWN_TEXT = re.compile(r"^\s*(no known|nil known|no allergies|nka\b|nkda\b)", re.IGNORECASE)
#: AllergyIntolerance statuses that mean there is no allergy to act on (FHIR R4 verificationStatus, clinicalStatus).
NOT_AN_ALLERGY = frozenset({"refuted", "entered-in-error"})
NOT_CURRENT = frozenset({"inactive", "resolved"})


@dataclass(frozen=True)
class Allergy:
    """One AllergyIntolerance: the substance, its status, and what happened."""

    source_id: str | None
    substance: Medicine
    clinical_status: str | None = None
    verification_status: str | None = None
    criticality: str | None = None
    categories: tuple[str, ...] = ()
    reactions: tuple[str, ...] = ()
    recorded_date: str | None = None
    note: str | None = None

    @property
    def is_no_known_statement(self) -> bool:
        """True for a 'no known (drug) allergy' record: a statement about the patient, never a substance to avoid."""
        codes = {c.code for c in self.substance.codings if c.code}
        return bool(codes & NO_KNOWN_ALLERGY_CODES) or bool(_NO_KNOWN_TEXT.match(self.substance.name))

    @property
    def is_current(self) -> bool:
        """A recorded allergy to act on: not refuted, entered in error, inactive, resolved, or a 'no known' statement."""
        return (self.verification_status not in NOT_AN_ALLERGY and self.clinical_status not in NOT_CURRENT
                and not self.is_no_known_statement)


@dataclass(frozen=True)
class FeedAllergy:
    """An allergy as one feed's current message records it, with a stable reference back to it."""

    reference: str
    feed: Feed
    allergy: Allergy
    stored_at: datetime


#: SNOMED CT "no known allergy" situations: a statement that none is known, never an allergy (DOMAIN.md §3
#: "Allergies"; 716186003, 409137002 and 716184000 as the HL7 R4 examples allergyintolerance-nka, -nkda and -nkla
#: use them; 429625007 and 428607008 their food and environmental siblings [check in the SNOMED CT browser]).
NO_KNOWN_ALLERGY = {
    "716186003": "No known allergies",
    "409137002": "No known drug allergies",
    "716184000": "No known latex allergy",
    "429625007": "No known food allergies",
    "428607008": "No known environmental allergies",
}


def no_known_allergy(allergy: Allergy) -> str | None:
    """'No known drug allergies' when the record states that none is known, else None."""
    for coding in allergy.substance.codings:
        if coding.code in NO_KNOWN_ALLERGY and coding.code_system == "dm+d":
            return NO_KNOWN_ALLERGY[coding.code]
    return None


def in_force(allergy: Allergy) -> bool:
    """Not refuted, entered in error, inactive or resolved (FHIR AllergyIntolerance clinical and verification status)."""
    return allergy.verification_status not in ("refuted", "entered-in-error") and allergy.clinical_status not in ("inactive", "resolved")
