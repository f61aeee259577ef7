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
#: How each coded "no known allergy" statement is said to people (shown as a statement: issue 9, point 3).
NO_KNOWN_WORDS = {"716186003": "No known allergies", "409137002": "No known drug allergies", "716184000": "No known latex allergy",
                  "429625007": "No known food allergies", "428607008": "No known environmental allergies",
                  "no-known-allergies": "No known allergies", "no-known-medication-allergies": "No known drug allergies",
                  "no-known-environmental-allergies": "No known environmental allergies",
                  "no-known-food-allergies": "No known food allergies"}


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
    def in_force(self) -> bool:
        """Not refuted, entered in error, inactive or resolved (FHIR AllergyIntolerance verification and clinical status)."""
        return self.verification_status not in NOT_AN_ALLERGY and self.clinical_status not in NOT_CURRENT

    @property
    def is_current(self) -> bool:
        """A recorded allergy to act on: in force, and not a 'no known' statement."""
        return self.in_force and not self.is_no_known_statement

    @property
    def no_known_words(self) -> str:
        """A 'no known allergy' statement as people say it ('No known drug allergies'), else the record's own words."""
        for coding in self.substance.codings:
            if coding.code in NO_KNOWN_WORDS:
                return NO_KNOWN_WORDS[coding.code]
        return self.substance.name


@dataclass(frozen=True)
class FeedAllergy:
    """An allergy as one feed's current message records it, with a stable reference back to it."""

    reference: str
    feed: Feed
    allergy: Allergy
    stored_at: datetime
