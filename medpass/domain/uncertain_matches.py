"""Names alike that medpass would not match: surfaced as a possible duplicate, never merged (DOMAIN.md §3).

An uncoded name that is near a known medicine but could not be mapped onto it with confidence (a look-alike or
sound-alike name is involved, or several medicines are candidates) stays a line of its own: under-merge is safe.
But two lines that may be one medicine may also be the same medicine taken twice, so the uncertainty is a
discrepancy of its own, and neither is a medicine to take until someone has checked (domain/agreement.py).
"""

from __future__ import annotations

from medpass.domain.discrepancies import Discrepancy, DiscrepancyCode, Harm, feed_labels, feeds_of, issue_key, references_of
from medpass.domain.lines import Line

#: DOMAIN.md §3: "uncoded entries match only on an exact normalised name ... when exactly one concept is a
#: candidate and no look-alike/sound-alike pair is involved"; conflicts are surfaced, never resolved away.
UNCERTAIN_MATCH_SOURCE = ("DOMAIN.md §3 (under-merge is safe; surface the conflict); "
                          "look-alike/sound-alike list (reference/look_alike_names.csv)")


def _moieties(line: Line) -> frozenset[str]:
    """The medicines a matched line is (salts of one medicine count as it)."""
    return frozenset(m for member in line.members if member.product for m in member.product.moieties)


def uncertain_matches(lines: list[Line]) -> list[Discrepancy]:
    """An active unmatched name near an active medicine on another line: they may be one medicine, perhaps twice."""
    found = []
    active = [line for line in lines if line.active()]
    for unmatched in active:
        resembles = frozenset().union(*(m.resembles for m in unmatched.members))
        if not resembles or any(m.product for m in unmatched.members):
            continue
        for other in active:
            if other is unmatched or not (_moieties(other) & resembles):
                continue
            members = unmatched.active() + other.active()
            detail = (f"{unmatched.name} ({feed_labels(feeds_of(unmatched.active()))}) may be {other.name} "
                      f"({feed_labels(feeds_of(other.active()))}): the names are alike, so medpass did not match them. If they are "
                      "the same medicine the patient may be taking it twice; if not, confirm which medicine is meant.")
            harm = Harm.HIGH if unmatched.high_alert or other.high_alert else Harm.MODERATE
            found.append(Discrepancy(DiscrepancyCode.UNCERTAIN_MATCH, harm, unmatched.name, detail, False, references_of(members),
                                     feeds_of(members), issue_key(DiscrepancyCode.UNCERTAIN_MATCH, unmatched, *other.key),
                                     UNCERTAIN_MATCH_SOURCE))
    return found
