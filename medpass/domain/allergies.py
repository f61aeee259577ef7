"""Allergies and intolerances as a feed recorded them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medpass.domain.feeds import Feed
from medpass.domain.medicines import Medicine


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
