"""Lithium preparations: carbonate and citrate, tablets and liquid, are one medicine, but not interchangeable mg for mg.

A switch of salt, form or brand between the feeds is a discrepancy that advises a lithium level; doses across salts
are compared in mmol of lithium, never in mg of salt (DOMAIN.md §3; SPS "Lithium: dose conversion").
"""

from __future__ import annotations

import re
from decimal import Decimal

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, feeds_of, issue_key, references_of, versions_of
from medpass.domain.dosing import daily_dose_mg, is_as_needed, times_per_day
from medpass.domain.lines import Identified, Line
from medpass.domain.medicine_names import product_form_kind

LITHIUM_SWITCH_SOURCE = (
    "Priadel SmPC (a change of lithium preparation is to be regarded as new treatment); SPS 'Lithium: dose conversion' "
    "[check]: carbonate and citrate are not interchangeable mg for mg; check the lithium level after a switch"
)
#: mmol of lithium per mg of salt. Lithium carbonate 200 mg = 5.4 mmol (Priadel SmPC [check]); lithium citrate
#: 520 mg ≈ 200 mg lithium carbonate (Priadel liquid SmPC); lithium citrate 509 mg/5 ml = 5.4 mmol and 1.018 g/5 ml =
#: 10.8 mmol (Li-Liquid [check]). A citrate of another stated strength is not converted.
MMOL_PER_MG = {
    ("lithium carbonate", ""): Decimal("5.4") / 200,
    ("lithium citrate", "520mg/5ml"): Decimal("5.4") / 520,
    ("lithium citrate", "509mg/5ml"): Decimal("5.4") / 509,
    ("lithium citrate", "1.018g/5ml"): Decimal("10.8") / 1018,
}
#: Daily amounts within this fraction of each other are the same dose (the conversions above are approximate).
SAME_DOSE_TOLERANCE = Decimal("0.05")
_PER_ML = re.compile(r"(\d+(?:\.\d+)?)(mg|g)/(\d+(?:\.\d+)?)?ml")
_ML = {"ml", "millilitre", "milliliter"}
_UNSTATED = "lithium"


def _salt(member: Identified) -> str:
    """'lithium carbonate', 'lithium citrate', or 'lithium' when the entry does not say which."""
    product = member.product
    return product.ingredients[0] if product and len(product.ingredients) == 1 else _UNSTATED


def _mg_per_ml(strength: str) -> Decimal | None:
    """The mg of salt in each ml of a liquid ('520mg/5ml' is 104 mg/ml)."""
    match = _PER_ML.fullmatch(strength)
    if not match:
        return None
    amount = Decimal(match.group(1)) * (1000 if match.group(2) == "g" else 1)
    return amount / Decimal(match.group(3) or 1)


def daily_mmol(member: Identified) -> Decimal | None:
    """mmol of lithium a day, from mg of a known salt or ml of a liquid of known strength; None when unsure."""
    product, dosages = member.product, member.statement.entry.dosages
    if product is None or not dosages or is_as_needed(dosages):
        return None
    salt, strength = _salt(member), product.strength
    factor = MMOL_PER_MG.get((salt, "")) or MMOL_PER_MG.get((salt, strength))
    if factor is None:
        return None
    milligrams = daily_dose_mg(dosages, product.strength_mg)
    per_ml = _mg_per_ml(strength)
    if milligrams is None and per_ml is not None:
        total = Decimal(0)
        for dosage in dosages:
            times = times_per_day(dosage)
            if times is None or dosage.dose_value is None or (dosage.dose_unit or "").lower() not in _ML:
                return None
            total += times * dosage.dose_value * per_ml
        milligrams = total
    return (milligrams * factor).quantize(Decimal("0.1")) if milligrams is not None else None


def _preparation(member: Identified) -> str:
    """How a feed names the lithium it lists: the product's name and its salt."""
    product = member.product
    name = member.statement.entry.medicine.name
    salt = _salt(member)
    return f"{name} ({'salt not stated' if salt == _UNSTATED else salt})" if product else name


def _switches(versions: list[Identified]) -> tuple[bool, bool]:
    """(salt or form differs, brand differs) between the feeds' versions, comparing only what every version states."""
    salts = {_salt(m) for m in versions}
    kinds = {product_form_kind(m.product.form) for m in versions if m.product}
    solids = [m.product for m in versions if m.product and product_form_kind(m.product.form) == "solid"]
    form = (len(salts - {_UNSTATED}) > 1 or (_UNSTATED in salts and len(salts) > 1)
            or ("" not in kinds and len(kinds) > 1)
            or (len(solids) == len(versions) and len({p.modified_release for p in solids}) > 1))
    specific = [m.product for m in versions if m.product and m.product.concept_class != "VTM" and (m.product.form or m.product.brand)]
    brand = len(specific) == len(versions) and len({p.brand.lower() for p in specific}) > 1
    return form, brand


def _dose(line: Line, versions: list[Identified]) -> Discrepancy | None:
    """The daily amount of lithium differs between the feeds (in mmol; never raw mg across salts)."""
    amounts = {m.statement.feed: daily_mmol(m) for m in versions}
    known = [a for a in amounts.values() if a is not None]
    if len(known) != len(versions) or not known or max(known) - min(known) <= SAME_DOSE_TOLERANCE * max(known):
        return None
    described = "; ".join(f"the {feed.label}: about {amount} mmol of lithium a day" for feed, amount in amounts.items())
    detail = (f"{line.name}: the feeds' daily lithium differs once each salt is converted to mmol ({described}). "
              "Check the dose and the lithium level.")
    return Discrepancy(DiscrepancyCode.DOSE, Harm.HIGH, line.name, detail, False, references_of(versions), feeds_of(versions),
                       issue_key(DiscrepancyCode.DOSE, line), LITHIUM_SWITCH_SOURCE)


def lithium_differences(line: Line, generic: list[Discrepancy]) -> list[Discrepancy]:
    """For lithium, a preparation or brand switch says to check the level; doses across salts compare in mmol."""
    versions = versions_of(line)
    if "lithium" not in line.key or len(versions) < 2:
        return generic
    form, brand = _switches(versions)
    mixed_salts = len({_salt(m) for m in versions}) > 1
    replaced = {DiscrepancyCode.FORM, DiscrepancyCode.BRAND_SWITCH} | ({DiscrepancyCode.DOSE} if mixed_salts else set())
    kept = [d for d in generic if d.code not in replaced]
    code = DiscrepancyCode.FORM if form else DiscrepancyCode.BRAND_SWITCH if brand else None
    if code is not None:
        what = "preparation (salt or form)" if form else "brand"
        described = "; ".join(f"the {m.statement.feed.label}: {_preparation(m)}" for m in versions)
        reason = next((m.statement.entry.change.reason for m in versions if m.statement.entry.change and m.statement.entry.change.reason),
                      None)
        detail = (f"{line.name}: the feeds name a different lithium {what}. {described[0].upper()}{described[1:]}. "
                  + (f"Reason recorded: {reason}. " if reason else "No reason recorded. ")
                  + "Lithium preparations are not interchangeable mg for mg and a switch is a new treatment: confirm which "
                  "one the patient takes and check the lithium level.")
        kept.append(Discrepancy(code, Harm.HIGH, line.name, detail, reason is not None, references_of(versions), feeds_of(versions),
                                issue_key(code, line), LITHIUM_SWITCH_SOURCE))
    dose = _dose(line, versions) if mixed_salts else None
    return kept + ([dose] if dose else [])
