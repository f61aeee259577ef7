"""What a medicine is called and coded as: dm+d and SNOMED as one system (DOMAIN.md section 2)."""

from __future__ import annotations

from dataclasses import dataclass

#: UK Core writes dm+d as https://dmd.nhs.uk, GP Connect as SNOMED CT, some senders http://dmd.nhs.uk.
#: dm+d concepts are SNOMED CT concepts, so the three are compared as one system; the original is kept.
DMD_SYSTEMS = frozenset({"https://dmd.nhs.uk", "http://dmd.nhs.uk", "http://snomed.info/sct"})
DMD = "dm+d"

#: GP2GP transfer-degraded entry (UK Core Medication-Sn-TransferDegradedMedEntry): the name is in `.text`.
TRANSFER_DEGRADED_CODE = "196421000000109"


@dataclass(frozen=True)
class Coding:
    """A code as the sender wrote it."""

    system: str | None
    code: str | None
    display: str | None = None

    @property
    def code_system(self) -> str | None:
        """The system medpass compares on: dm+d/SNOMED folded into one, others unchanged."""
        return DMD if self.system in DMD_SYSTEMS else self.system

    @property
    def is_transfer_degraded(self) -> bool:
        """True for the GP2GP 'transfer-degraded medication entry' code, which names no medicine."""
        return self.code_system == DMD and self.code == TRANSFER_DEGRADED_CODE


@dataclass(frozen=True)
class Medicine:
    """A medicine as one feed named it: codes (possibly none) and the sender's text."""

    codings: tuple[Coding, ...] = ()
    text: str | None = None
    form: str | None = None

    @property
    def dmd_coding(self) -> Coding | None:
        """The first dm+d/SNOMED coding that names a real product, if any."""
        for coding in self.codings:
            if coding.code_system == DMD and coding.code and not coding.is_transfer_degraded:
                return coding
        return None

    @property
    def is_transfer_degraded(self) -> bool:
        """True when the entry came through GP2GP without its code."""
        return any(coding.is_transfer_degraded for coding in self.codings)

    @property
    def is_coded(self) -> bool:
        """True when some coding identifies the product."""
        return self.dmd_coding is not None or any(
            c.code and not c.is_transfer_degraded for c in self.codings
        )

    @property
    def name(self) -> str:
        """The best human name: the sender's text, then a display, then a placeholder that says so."""
        if self.text:
            return self.text
        for coding in self.codings:
            if coding.display and not coding.is_transfer_degraded:
                return coding.display
        for coding in self.codings:
            if coding.code:
                return f"{coding.system or 'uncoded'}|{coding.code}"
        return "unnamed medicine"
