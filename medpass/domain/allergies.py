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
