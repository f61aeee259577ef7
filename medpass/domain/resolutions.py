"""What a clinician can decide about a discrepancy, as structured values (issue 9, point 1).

Defined once, here, for the command line now and the FHIR API and the web app: accept one partner's version;
record a new agreed version (product, dose, frequency, route, and optional words); mark the medicine stopped; mark
it on hold; or dismiss the difference as not real. Each carries its intent (DOMAIN.md §3: only a clinician can say
intentional or unintentional), its reason, who decided and when. The decision is what the agreed state of the
medicine follows (domain/agreement.py) for as long as the feeds say what they said when it was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from medpass.domain.errors import InvalidRequest
from medpass.domain.feeds import Feed
from medpass.domain.issue_lifecycle import Intent


class ResolutionKind(StrEnum):
    """The kinds of decision a clinician can record."""

    ACCEPT_FEED = "accept-feed"
    NEW_VERSION = "new-version"
    MARK_STOPPED = "mark-stopped"
    MARK_ON_HOLD = "mark-on-hold"
    DISMISS = "dismiss"

    @property
    def sets_the_medicine(self) -> bool:
        """True for decisions that say what the patient should now do with the medicine."""
        return self is not ResolutionKind.DISMISS


@dataclass(frozen=True)
class NewVersion:
    """An agreed version a clinician records: product, dose, how often, route, and optional words."""

    product: str
    dose: str
    frequency: str
    route: str
    text: str | None = None

    @property
    def how_to_take(self) -> str:
        """'20 mg at night, by mouth' (and the clinician's words, if any)."""
        said = ", ".join(part for part in (" ".join(p for p in (self.dose, self.frequency) if p), self.route) if part)
        return ". ".join(part for part in (said, self.text or "") if part)


@dataclass(frozen=True)
class Decision:
    """One recorded decision about a discrepancy."""

    kind: ResolutionKind
    reason: str
    by: str
    at: datetime
    intent: Intent | None = None
    accepted_feed: Feed | None = None
    new_version: NewVersion | None = None
    medicine: str | None = None

    def details(self) -> dict[str, str]:
        """The decision as stored (and as the DetectedIssue's history shows it)."""
        found = {"kind": self.kind.value, "reason": self.reason, "intent": self.intent.value if self.intent else None,
                 "accepted_feed": self.accepted_feed.value if self.accepted_feed else None, "medicine": self.medicine}
        if self.new_version is not None:
            version = self.new_version
            found |= {"product": version.product, "dose": version.dose, "frequency": version.frequency,
                      "route": version.route, "new_version": version.how_to_take, "text": version.text}
        return {key: value for key, value in found.items() if value}


def _required(value: str | None, what: str) -> str:
    """A value that must be said, trimmed."""
    if value is None or not value.strip():
        raise InvalidRequest(f"{what} is required")
    return value.strip()


def decide(kind: ResolutionKind, *, reason: str, by: str, at: datetime, intent: str | None = None,
           accepted_feed: str | None = None, new_version: NewVersion | None = None, medicine: str | None = None) -> Decision:
    """A valid Decision, or InvalidRequest saying what is missing; nothing is recorded from an invalid one."""
    reason, by = _required(reason, "a reason (say why)"), _required(by, "who is recording this")
    if kind is not ResolutionKind.DISMISS and intent not in {i.value for i in Intent}:
        raise InvalidRequest("say whether the difference was intentional or unintentional")
    feed = None
    if kind is ResolutionKind.ACCEPT_FEED:
        try:
            feed = Feed(_required(accepted_feed, "the feed whose version is accepted"))
        except ValueError:
            raise InvalidRequest(f"unknown feed {accepted_feed!r}: the feeds are {', '.join(f.value for f in Feed)}") from None
    elif accepted_feed:
        raise InvalidRequest(f"a feed's version is only accepted by {ResolutionKind.ACCEPT_FEED.value}")
    if kind is ResolutionKind.NEW_VERSION:
        if new_version is None:
            raise InvalidRequest("a new version needs its product, dose, frequency and route")
        new_version = NewVersion(_required(new_version.product, "the new version's product"), _required(new_version.dose, "its dose"),
                                 _required(new_version.frequency, "how often it is taken"), _required(new_version.route, "its route"),
                                 new_version.text.strip() if new_version.text and new_version.text.strip() else None)
    elif new_version is not None:
        raise InvalidRequest(f"a new version is only recorded by {ResolutionKind.NEW_VERSION.value}")
    return Decision(kind, reason, by, at, Intent(intent) if intent else None, feed, new_version,
                    medicine.strip() if medicine and medicine.strip() else None)


def decision_of(action: str, by: str, at: datetime, details: dict[str, str]) -> Decision:
    """A stored resolve or dismiss read back as a Decision (older records, with only words, read as dismissals of nothing)."""
    if action == "dismiss":
        kind = ResolutionKind.DISMISS
    elif details.get("kind") in {k.value for k in ResolutionKind}:
        kind = ResolutionKind(details["kind"])
    elif details.get("accepted_feed"):
        kind = ResolutionKind.ACCEPT_FEED
    else:
        kind = ResolutionKind.NEW_VERSION
    version = None
    if kind is ResolutionKind.NEW_VERSION:
        version = NewVersion(details.get("product", ""), details.get("dose", ""), details.get("frequency", ""), details.get("route", ""),
                             details.get("text") or (None if details.get("product") else details.get("new_version")))
    intent = details.get("intent")
    feed = details.get("accepted_feed")
    return Decision(kind, details.get("reason", ""), by, at, Intent(intent) if intent in {i.value for i in Intent} else None,
                    Feed(feed) if feed in {f.value for f in Feed} else None, version, details.get("medicine"))
