"""Allergies and intolerances as a feed recorded them."""

from __future__ import annotations

from dataclasses import dataclass

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
