"""Differences in the same medicine between feeds (dose, frequency, route, form, brand), and duplicates across
medicines (ingredient, class): DOMAIN.md §3."""

from __future__ import annotations

from datetime import date

from medpass.domain.discrepancies import (
    DUPLICATE_CLASSES,
    Discrepancy,
    DiscrepancyCode,
    Harm,
    feed_labels,
    feeds_of,
    harm_of,
    issue_key,
    references_of,
    versions_of,
)
from medpass.domain.feeds import Feed
from medpass.domain.lines import Identified, Line
from medpass.domain.regimens import SPLIT_DOSE_SOURCE, is_one_regimen
from medpass.domain.when_required import feeds_taking_it_regularly


def _amended_reason(members: list[Identified]) -> str | None:
    """A recorded reason for a change among some statements (PRSB indicationForChange)."""
    for member in members:
        change = member.statement.entry.change
        if change is not None and change.reason:
            return change.reason
    return None


def _describe(values: dict[Feed, str]) -> str:
    """'the GP practice: 50 mg a day; the acute hospital: 100 mg a day'."""
    return "; ".join(f"the {feed.label}: {value}" for feed, value in values.items())


def _difference(
    code: DiscrepancyCode, line: Line, members: list[Identified], values: dict[Feed, str], harm: Harm, what: str, source: str
) -> Discrepancy:
    """A same-medicine difference between feeds."""
    reason = _amended_reason(members)
    because = f" Reason recorded: {reason}." if reason else " No reason recorded."
    described = _describe(values)
    detail = f"{line.name}: the feeds differ in {what}. {described[0].upper()}{described[1:]}.{because}"
    return Discrepancy(
        code,
        harm,
        line.name,
        detail,
        reason is not None,
        references_of(members),
        feeds_of(members),
        issue_key(code, line),
        source,
    )


def _number(value: object) -> str:
    """A Decimal as people write it."""
    return format(value, "f") if value is not None else "not stated"


def _how_often(times: object) -> str:
    """'once a day', 'twice a day', '3 times a day'."""
    words = {"1": "once a day", "2": "twice a day"}
    return words.get(_number(times), f"{_number(times)} times a day")


def differences(line: Line, today: date | None = None) -> list[Discrepancy]:
    """Dose (total daily dose), frequency, route, form and brand between the feeds' active versions.

    Dose and frequency compare each feed's regular regimen on `today`: its entries split by time of day summed,
    a taper by the step in force (`regimens.py`); when-required ones are compared in `when_required.py`.
    """
    versions = versions_of(line)
    if len(versions) < 2:
        return []
    found: list[Discrepancy] = []
    regular = feeds_taking_it_regularly(line, today)
    compared = [m for regimen in regular.values() for m in regimen.members]
    doses = {feed: regimen.daily_mg for feed, regimen in regular.items()}
    strengths = {m.product.strength for m in compared if m.product and m.product.strength}
    if None not in doses.values() and len(set(doses.values())) > 1:
        found.append(
            _difference(
                DiscrepancyCode.DOSE,
                line,
                compared,
                {f: f"{_number(d)} mg a day" for f, d in doses.items()},
                harm_of(line),
                "total daily dose",
                "DOMAIN.md §3 L3: compare total daily dose, not strength",
            )
        )
    elif None in doses.values() and len(strengths) > 1:
        values = {
            feed: f"{regimen.strength or '?'} ({'; '.join(m.statement.entry.dosage_text or 'no dosage' for m in regimen.members)})"
            for feed, regimen in regular.items()
        }
        found.append(
            _difference(
                DiscrepancyCode.DOSE,
                line,
                compared,
                values,
                harm_of(line),
                "strength, and the total daily dose could not be worked out",
                "DOMAIN.md §3 L3",
            )
        )
    times = {feed: regimen.times for feed, regimen in regular.items()}
    if None not in times.values() and len(set(times.values())) > 1:
        found.append(
            _difference(
                DiscrepancyCode.FREQUENCY,
                line,
                compared,
                {f: _how_often(t) for f, t in times.items() if t is not None},
                harm_of(line),
                "how often it is taken",
                "DOMAIN.md §3 (MGB rule: ties broken on frequency)",
            )
        )
    routes = {
        m.statement.feed: m.statement.entry.dosages[0].route
        for m in versions
        if m.statement.entry.dosages and m.statement.entry.dosages[0].route
    }
    if len(routes) == len(versions) and len({r.code for r in routes.values() if r}) > 1:
        found.append(
            _difference(
                DiscrepancyCode.ROUTE,
                line,
                versions,
                {f: (r.display or r.code or "") for f, r in routes.items() if r},
                harm_of(line),
                "route",
                "DOMAIN.md §3 (MGB rule: ingredient, route, form)",
            )
        )
    forms = {m.statement.feed: m.product.form for m in versions if m.product and m.product.form}
    if len(forms) == len(versions) and len(set(forms.values())) > 1:
        found.append(
            _difference(
                DiscrepancyCode.FORM,
                line,
                versions,
                dict(forms),
                harm_of(line),
                "form",
                "DOMAIN.md §3 L2: e.g. modified-release vs immediate-release",
            )
        )
    products = [m for m in versions if m.product and m.product.concept_class in ("VMP", "AMP")]
    brands = {m.statement.feed: (m.product.brand if m.product and m.product.brand else "generic (no brand named)") for m in products}
    if line.brand_critical and len(products) == len(versions) and len(set(brands.values())) > 1:
        found.append(
            _difference(
                DiscrepancyCode.BRAND_SWITCH,
                line,
                versions,
                brands,
                Harm.HIGH,
                "brand",
                "DOMAIN.md §3 L1: brand-critical (Priadel SmPC: a change of lithium product is new treatment; SPS clozapine)",
            )
        )
    return found


def _active_lines(lines: list[Line]) -> list[Line]:
    """Lines that some feed lists as being taken."""
    return [line for line in lines if line.active()]


def _sharing_an_ingredient(lines: list[Line]) -> list[tuple[Line, Line]]:
    """Pairs of lines with an ingredient in common, found through an index (linear in the lines, not quadratic)."""
    by_ingredient: dict[str, list[int]] = {}
    for position, line in enumerate(lines):
        for ingredient in line.ingredients:
            by_ingredient.setdefault(ingredient, []).append(position)
    pairs = sorted({(a, b) for positions in by_ingredient.values() for i, a in enumerate(positions) for b in positions[i + 1 :]})
    return [(lines[a], lines[b]) for a, b in pairs]


def _listed_twice(line: Line, feed: Feed, twice: list[Identified]) -> Discrepancy:
    """One feed lists a medicine active more than once, and not as one dose split by time of day."""
    entries = "; ".join(f"{m.statement.entry.medicine.name} ({m.statement.entry.dosage_text or 'no dosage'})" for m in twice)
    detail = (
        f"{feed_labels([feed])} lists {line.name} as active {len(twice)} times: {entries}. "
        "They are not one dose split by time of day (the same product at different times): check which is meant."
    )
    return Discrepancy(
        DiscrepancyCode.DUPLICATE_INGREDIENT,
        Harm.HIGH if "paracetamol" in line.ingredients else harm_of(line),
        line.name,
        detail,
        False,
        references_of(twice),
        (feed,),
        issue_key(DiscrepancyCode.DUPLICATE_INGREDIENT, line, feed.value),
        SPLIT_DOSE_SOURCE,
    )


def duplicates(lines: list[Line]) -> list[Discrepancy]:
    """The same ingredient active twice (a compound and its component, or two prescriptions); two of a flagged class."""
    found: list[Discrepancy] = []
    active = _active_lines(lines)
    for first, second in _sharing_an_ingredient(active):
        shared = first.ingredients & second.ingredients
        if shared:
            members = first.active() + second.active()
            where = feed_labels(feeds_of(members))
            detail = f"{first.name} and {second.name} both contain {', '.join(sorted(shared))} and are both active ({where})."
            found.append(
                Discrepancy(
                    DiscrepancyCode.DUPLICATE_INGREDIENT,
                    Harm.HIGH if "paracetamol" in shared else Harm.MODERATE,
                    first.name,
                    detail,
                    False,
                    references_of(members),
                    feeds_of(members),
                    issue_key(DiscrepancyCode.DUPLICATE_INGREDIENT, first, *second.key),
                    "DOMAIN.md §3 L3b: a compound contains the other's ingredient",
                )
            )
    for line in active:
        for feed in Feed:
            twice = [m for m in line.in_feed(feed) if m.statement.is_active]
            if len(twice) > 1 and not is_one_regimen(twice):
                found.append(_listed_twice(line, feed, twice))
    for drug_class in sorted(DUPLICATE_CLASSES):
        of_class = [line for line in active if drug_class in line.classes]
        if len(of_class) > 1:
            members = [m for line in of_class for m in line.active()]
            names = " and ".join(line.name for line in of_class)
            found.append(
                Discrepancy(
                    DiscrepancyCode.DUPLICATE_CLASS,
                    Harm.LOW,
                    of_class[0].name,
                    f"Two or more active medicines of one class ({drug_class}): {names}. Advisory.",
                    False,
                    references_of(members),
                    feeds_of(members),
                    issue_key(DiscrepancyCode.DUPLICATE_CLASS, None, drug_class, *(k for line in of_class for k in line.key)),
                    "DOMAIN.md §3 L4: same class, advisory only",
                )
            )
    return found
