"""Discrepancies between the feeds, each with its intent evidence and harm ranking (DOMAIN.md §3).

Every rule names its source. The feeds can only say whether a reason was recorded (documented) or not;
whether a change was intended is a clinician's call, recorded later as a resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medpass.domain.dosing import daily_dose_mg, daily_times
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList, Identified, Line


class DiscrepancyCode(StrEnum):
    """The codes of medpass's DetectedIssue CodeSystem."""

    OMISSION = "omission"
    ADDITION = "addition"
    STOPPED_ELSEWHERE = "stopped-elsewhere"
    DOSE = "dose"
    FREQUENCY = "frequency"
    ROUTE = "route"
    FORM = "form"
    BRAND_SWITCH = "brand-switch"
    DUPLICATE_INGREDIENT = "duplicate-ingredient"
    DUPLICATE_CLASS = "duplicate-class"
    MONITORING_DUE = "monitoring-due"
    INTERACTION = "interaction"
    DOSE_LIMIT = "dose-limit"


class Harm(StrEnum):
    """DetectedIssue.severity: how much harm the difference could do if it is a mistake."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


HARM_ORDER = {Harm.HIGH: 0, Harm.MODERATE: 1, Harm.LOW: 2}

#: Classes whose omission or change is high-harm in mental-health care (DOMAIN.md §1, §4: clozapine, lithium,
#: depots, antipsychotics).
HIGH_HARM_CLASSES = frozenset({"antipsychotic", "lithium", "valproate"})
#: What the mental-health feed lists: what the trust prescribes or monitors (issue 3; DOMAIN.md §1).
MENTAL_HEALTH_CLASSES = frozenset({"antipsychotic", "lithium", "valproate"})
#: Classes where two at once deserve advice (DOMAIN.md §3, level L4: two antipsychotics, two SSRIs).
DUPLICATE_CLASSES = frozenset({"antipsychotic", "ssri", "nsaid"})


@dataclass(frozen=True)
class Discrepancy:
    """One real difference, what it involves, and whether the feeds recorded a reason."""

    code: DiscrepancyCode
    harm: Harm
    medicine: str
    detail: str
    documented: bool
    implicated: tuple[str, ...]
    feeds: tuple[Feed, ...]
    key: str
    source: str

    def __post_init__(self) -> None:
        """Details are sentences: they start with a capital letter."""
        if self.detail and self.detail[0].islower():
            object.__setattr__(self, "detail", self.detail[0].upper() + self.detail[1:])

    @property
    def rank(self) -> tuple[int, str, str]:
        """Sort key: most harmful first, then by medicine and code."""
        return (HARM_ORDER[self.harm], self.medicine, self.code.value)


def _feeds(members: list[Identified]) -> tuple[Feed, ...]:
    """The distinct feeds of some statements, in feed order."""
    present = {m.statement.feed for m in members}
    return tuple(feed for feed in Feed if feed in present)


def _refs(members: list[Identified]) -> tuple[str, ...]:
    """The references of some statements."""
    return tuple(m.statement.reference for m in members)


def _labels(feeds: tuple[Feed, ...] | list[Feed]) -> str:
    """'the GP practice and the acute hospital'."""
    names = [f"the {feed.label}" for feed in feeds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _agree(feeds: tuple[Feed, ...] | list[Feed], one: str, many: str) -> str:
    """The verb that agrees with a list of feeds: 'lists' for one, 'list' for several."""
    return one if len(feeds) == 1 else many


def _harm_of(line: Line, default: Harm = Harm.MODERATE) -> Harm:
    """High for brand-critical and mental-health high-risk medicines; `default` otherwise."""
    return Harm.HIGH if line.brand_critical or line.classes & HIGH_HARM_CLASSES else default


def _key(code: DiscrepancyCode, line: Line | None, *parts: str) -> str:
    """A stable identity for a discrepancy, so a resolution can find it again after re-ingest."""
    return "|".join([code.value, *(line.key if line else ()), *parts])


def current_in(line: Line, feed: Feed) -> list[Identified]:
    """A feed's current version of the line: its active statements, else its stopped or held ones."""
    statements = line.in_feed(feed)
    active = [m for m in statements if m.statement.is_active]
    return active or [m for m in statements if m.statement.is_stopped]


def stopped_elsewhere(line: Line) -> list[Discrepancy]:
    """Stopped or held in one feed, still active in another (commission: Stockton 2017, 24% of errors)."""
    versions = {feed: current_in(line, feed) for feed in Feed}
    stops = [m for members in versions.values() for m in members if m.statement.is_stopped]
    still = [m for members in versions.values() for m in members if m.statement.is_active]
    if not stops or not still:
        return []
    stop = max(stops, key=lambda m: m.statement.message_time)
    entry = stop.statement.entry
    verb = "put on hold" if entry.status == "on-hold" else "stopped"
    reason = f" ({entry.status_reason})" if entry.status_reason else " (no reason recorded)"
    still_feeds = _feeds(still)
    detail = (
        f"{_labels([stop.statement.feed])} {verb} {line.name}{reason}; {_labels(still_feeds)} still "
        f"{_agree(still_feeds, 'lists', 'list')} it as active."
    )
    members = [stop, *still]
    return [
        Discrepancy(
            DiscrepancyCode.STOPPED_ELSEWHERE,
            Harm.HIGH,
            line.name,
            detail,
            bool(entry.status_reason),
            _refs(members),
            _feeds(members),
            _key(DiscrepancyCode.STOPPED_ELSEWHERE, line),
            "DOMAIN.md §1, §3: nothing stopped by a newer feed is re-activated (Stockton 2017)",
        )
    ]


def _should_list(feed_list: FeedList, line: Line) -> bool:
    """Whether a feed's list is expected to hold this medicine (issue 3, DOMAIN.md §1).

    The GP record holds every current medicine; a discharge summary every medicine the patient leaves on;
    the mental-health feed what the trust prescribes or monitors. A list that is not known expects nothing.
    """
    if not feed_list.known:
        return False
    if feed_list.feed is Feed.GP:
        return True
    if feed_list.feed is Feed.ACUTE:
        return feed_list.is_discharge
    return bool(line.classes & MENTAL_HEALTH_CLASSES)


def _started(member: Identified) -> str:
    """When a statement says the medicine started (its change date, else its effective start)."""
    entry = member.statement.entry
    return (entry.change.date_changed if entry.change and entry.change.date_changed else None) or entry.effective_start or ""


def _is_new_relative_to(member: Identified, feed_list: FeedList) -> bool:
    """Added in its feed (PRSB change status Added), or started after the other feed's message."""
    entry = member.statement.entry
    if entry.change is not None and entry.change.status.value == "added":
        return True
    started = _started(member)
    return bool(started) and started[:10] > feed_list.message_time.date().isoformat()


def omissions_and_additions(line: Line, lists: list[FeedList]) -> list[Discrepancy]:
    """Active elsewhere, absent from a list that should hold it and records no stop: new there, or left out."""
    found: list[Discrepancy] = []
    for feed_list in lists:
        if line.in_feed(feed_list.feed) or not _should_list(feed_list, line):
            continue
        others = [m for m in line.active() if m.statement.feed is not feed_list.feed]
        if feed_list.feed is Feed.ACUTE:  # a discharge list cannot hold what started after it
            others = [m for m in others if not _started(m) or _started(m)[:10] <= feed_list.message_time.date().isoformat()]
        if not others:
            continue
        new = [m for m in others if _is_new_relative_to(m, feed_list)]
        when = feed_list.message_time.strftime("%d %b %Y")
        if new:
            added = new[0].statement
            reason = added.entry.change.reason if added.entry.change else None
            because = f" ({reason})" if reason else " (no reason recorded)"
            detail = f"{_labels([added.feed])} started {line.name}{because}; it is not yet on {_labels([feed_list.feed])}'s list of {when}."
            harm = Harm.LOW if reason else Harm.MODERATE
            found.append(
                Discrepancy(
                    DiscrepancyCode.ADDITION,
                    harm,
                    line.name,
                    detail,
                    bool(reason),
                    _refs(new),
                    _feeds(new),
                    _key(DiscrepancyCode.ADDITION, line, feed_list.feed.value),
                    "issue 3: started recently in one feed and not yet on the others",
                )
            )
        else:
            detail = (
                f"{_labels(_feeds(others))} {_agree(_feeds(others), 'lists', 'list')} {line.name} as active; "
                f"{_labels([feed_list.feed])}'s list of {when} does not, and records no stop."
            )
            found.append(
                Discrepancy(
                    DiscrepancyCode.OMISSION,
                    _harm_of(line),
                    line.name,
                    detail,
                    False,
                    _refs(others),
                    _feeds(others),
                    _key(DiscrepancyCode.OMISSION, line, feed_list.feed.value),
                    "DOMAIN.md §1: omission is the commonest error (Cornish 2005); clozapine often missing at the GP",
                )
            )
    return found


def _versions(line: Line) -> list[Identified]:
    """One active version per feed (the first it lists), for comparing feeds with each other."""
    seen: dict[Feed, Identified] = {}
    for member in line.active():
        seen.setdefault(member.statement.feed, member)
    return list(seen.values())


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
    return Discrepancy(code, harm, line.name, detail, reason is not None, _refs(members), _feeds(members), _key(code, line), source)


def _number(value: object) -> str:
    """A Decimal as people write it."""
    return format(value, "f") if value is not None else "not stated"


def _how_often(times: object) -> str:
    """'once a day', 'twice a day', '3 times a day'."""
    words = {"1": "once a day", "2": "twice a day"}
    return words.get(_number(times), f"{_number(times)} times a day")


def differences(line: Line) -> list[Discrepancy]:
    """Dose (total daily dose), frequency, route, form and brand between the feeds' active versions."""
    versions = _versions(line)
    if len(versions) < 2:
        return []
    found: list[Discrepancy] = []
    doses = {m.statement.feed: daily_dose_mg(m.statement.entry.dosages, m.product.strength_mg if m.product else None) for m in versions}
    strengths = {m.product.strength for m in versions if m.product and m.product.strength}
    if None not in doses.values() and len(set(doses.values())) > 1:
        found.append(
            _difference(
                DiscrepancyCode.DOSE,
                line,
                versions,
                {f: f"{_number(d)} mg a day" for f, d in doses.items()},
                _harm_of(line),
                "total daily dose",
                "DOMAIN.md §3 L3: compare total daily dose, not strength",
            )
        )
    elif None in doses.values() and len(strengths) > 1:
        values = {
            m.statement.feed: f"{m.product.strength if m.product else '?'} ({m.statement.entry.dosage_text or 'no dosage'})"
            for m in versions
        }
        found.append(
            _difference(
                DiscrepancyCode.DOSE,
                line,
                versions,
                values,
                _harm_of(line),
                "strength, and the total daily dose could not be worked out",
                "DOMAIN.md §3 L3",
            )
        )
    times = {m.statement.feed: daily_times(m.statement.entry.dosages) for m in versions}
    if None not in times.values() and len(set(times.values())) > 1:
        found.append(
            _difference(
                DiscrepancyCode.FREQUENCY,
                line,
                versions,
                {f: _how_often(t) for f, t in times.items() if t is not None},
                Harm.MODERATE,
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
                Harm.MODERATE,
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
                _harm_of(line),
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


def duplicates(lines: list[Line]) -> list[Discrepancy]:
    """The same ingredient active twice (a compound and its component, or two prescriptions); two of a flagged class."""
    found: list[Discrepancy] = []
    active = _active_lines(lines)
    for first, second in _sharing_an_ingredient(active):
        shared = first.ingredients & second.ingredients
        if shared:
            members = first.active() + second.active()
            detail = (
                f"{first.name} and {second.name} both contain {', '.join(sorted(shared))} and are both active ({_labels(_feeds(members))})."
            )
            found.append(
                Discrepancy(
                    DiscrepancyCode.DUPLICATE_INGREDIENT,
                    Harm.HIGH if "paracetamol" in shared else Harm.MODERATE,
                    first.name,
                    detail,
                    False,
                    _refs(members),
                    _feeds(members),
                    _key(DiscrepancyCode.DUPLICATE_INGREDIENT, first, *second.key),
                    "DOMAIN.md §3 L3b: a compound contains the other's ingredient",
                )
            )
    for line in active:
        for feed in Feed:
            twice = [m for m in line.in_feed(feed) if m.statement.is_active]
            if len(twice) > 1:
                detail = f"{_labels([feed])} lists {line.name} as active {len(twice)} times."
                found.append(
                    Discrepancy(
                        DiscrepancyCode.DUPLICATE_INGREDIENT,
                        _harm_of(line),
                        line.name,
                        detail,
                        False,
                        _refs(twice),
                        (feed,),
                        _key(DiscrepancyCode.DUPLICATE_INGREDIENT, line, feed.value),
                        "DOMAIN.md §3: the same ingredient active twice",
                    )
                )
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
                    _refs(members),
                    _feeds(members),
                    _key(DiscrepancyCode.DUPLICATE_CLASS, None, drug_class, *(k for line in of_class for k in line.key)),
                    "DOMAIN.md §3 L4: same class, advisory only",
                )
            )
    return found
