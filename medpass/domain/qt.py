"""Citalopram or escitalopram together with another medicine that prolongs the QT interval (DOMAIN.md §3-4 'QT')."""

from __future__ import annotations

from medpass.domain.dictionary import MedicineDictionary, normalise_name
from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, line_discrepancy, listed_by
from medpass.domain.lines import Identified, Line
from medpass.domain.medicine_names import words_of

QT_SOURCE = (
    "MHRA Drug Safety Update, December 2011; citalopram and escitalopram SmPCs section 4.3: contraindicated with other "
    "medicines known to prolong the QT interval (reference/qt_prolonging.csv)"
)
#: The SSRIs the MHRA restricted for QT prolongation (Drug Safety Update, December 2011).
QT_SSRIS = frozenset({"citalopram", "escitalopram"})
#: SNOMED CT 47625008 |Intravenous route|; erythromycin counts only when given intravenously (citalopram SmPC 4.5).
INTRAVENOUS_ROUTE = "47625008"
_INTRAVENOUS_WORDS = {"intravenous", "iv", "infusion"}


def _intravenous(member: Identified) -> bool:
    """Whether a statement is given into a vein: its route code or text, or its name (an infusion)."""
    entry = member.statement.entry
    routes = [d.route for d in entry.dosages if d.route]
    if any(r.code == INTRAVENOUS_ROUTE or "intravenous" in (r.display or "").lower() for r in routes if r):
        return True
    texts = " ".join([entry.medicine.name, *(d.text or "" for d in entry.dosages)])
    return bool(set(words_of(normalise_name(texts))) & _INTRAVENOUS_WORDS)


def qt_group(member: Identified, dictionary: MedicineDictionary) -> str | None:
    """The QT-prolonging group a statement belongs to, by its drug class or by a name word, else None."""
    product = member.product
    classes = set(product.drug_classes) if product else set()
    words = set(words_of(" ".join(product.ingredients))) if product else set(words_of(normalise_name(member.statement.entry.medicine.name)))
    for entry in dictionary.qt_prolonging:
        hit = entry.term in classes if entry.kind == "class" else entry.term in words
        if hit and (entry.route != "intravenous" or _intravenous(member)):
            return f"{entry.group}: {entry.term}"
    return None


def qt_interactions(lines: list[Line], dictionary: MedicineDictionary) -> list[Discrepancy]:
    """Citalopram or escitalopram active with a medicine on the QT list: contraindicated, so high harm."""
    active = [line for line in lines if line.active()]
    found = []
    for ssri in (line for line in active if set(line.ingredients) & QT_SSRIS):
        for other in active:
            groups = sorted({g for m in other.active() if (g := qt_group(m, dictionary))})
            if other is ssri or not groups:
                continue
            detail = (
                f"{listed_by(ssri)} is active with {listed_by(other)}, which prolongs the QT interval ({groups[0]}). "
                f"Citalopram and escitalopram must not be taken with medicines that prolong the QT interval: "
                f"ask the prescriber to review them together."
            )
            found.append(line_discrepancy(DiscrepancyCode.INTERACTION, Harm.HIGH, ssri, ssri.active() + other.active(), detail,
                                          QT_SOURCE, *other.key))
    return found
