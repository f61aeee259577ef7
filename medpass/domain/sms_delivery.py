"""What to do when a send fails, by Twilio error class (DOMAIN.md §6), and whether a message is still worth sending.

Creating a Twilio message is not idempotent: a send whose outcome is unknown (a timeout after the request
went out) is never retried blindly; it is marked for checking instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Outcome(StrEnum):
    """What the dispatcher does with a message after one attempt."""

    RETRY = "retry"
    GIVE_UP = "give-up"
    OPTED_OUT = "opted-out"
    BAD_NUMBER = "bad-number"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Decision:
    """The outcome and, for a retry, when."""

    outcome: Outcome
    retry_at: datetime | None = None
    reason: str = ""


#: Twilio error codes (DOMAIN.md §6): 21610 recipient opted out; 21211 invalid number; 30006 landline or
#: unreachable carrier; 30003 unreachable handset (retry once); 20429 too many requests (back off).
OPTED_OUT_CODES = frozenset({21610})
BAD_NUMBER_CODES = frozenset({21211, 30006})


def after_failure(code: int | None, http_status: int | None, attempts: int, now: datetime) -> Decision:
    """The decision after attempt number `attempts` failed with a Twilio error `code` / HTTP status."""
    if code in OPTED_OUT_CODES:
        return Decision(Outcome.OPTED_OUT, reason="the number has opted out (Twilio 21610): never retried")
    if code in BAD_NUMBER_CODES:
        return Decision(Outcome.BAD_NUMBER, reason=f"the number cannot receive SMS (Twilio {code}): flagged, not retried")
    if code == 30003:
        return Decision(Outcome.RETRY, now + timedelta(minutes=5), "handset unreachable (Twilio 30003)") if attempts < 2 else \
            Decision(Outcome.GIVE_UP, reason="handset unreachable twice (Twilio 30003)")
    if code == 20429 or http_status == 429 or (http_status is not None and http_status >= 500):
        delay = timedelta(seconds=min(30 * 2 ** (attempts - 1), 900))
        return Decision(Outcome.RETRY, now + delay, f"Twilio busy or failing (HTTP {http_status}, code {code}): backing off")
    if http_status is None:
        return Decision(Outcome.UNKNOWN, reason="no answer from Twilio: it may have sent it, so it is not sent again blindly")
    return Decision(Outcome.GIVE_UP, reason=f"refused by Twilio (HTTP {http_status}, code {code})")


def still_worth_sending(due_at: datetime, valid_for: timedelta, now: datetime) -> bool:
    """A reminder that cannot go out within its validity window is dropped, never sent late."""
    return now < due_at + valid_for
