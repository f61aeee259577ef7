"""Who a message is about: identity by NHS number, demographics and the registered GP practice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Practice:
    """An organisation by its ODS code and name (either may be missing in a real feed)."""

    ods_code: str | None
    name: str | None


@dataclass(frozen=True)
class Demographics:
    """The patient as one message describes them; the newest message's version is kept."""

    nhs_number: str
    family: str | None = None
    given: str | None = None
    prefix: str | None = None
    birth_date: str | None = None
    gender: str | None = None
    gp_practice: Practice | None = None

    @property
    def display_name(self) -> str:
        """'Given FAMILY' as clinical systems show it, or the NHS number when unnamed."""
        parts = [p for p in (self.given, self.family.upper() if self.family else None) if p]
        return " ".join(parts) if parts else self.nhs_number
