"""What a patient's reply means (DOMAIN.md §6): Twilio's opt-out and opt-in keywords, HELP, and dose answers.

Twilio acts on STOP, STOPALL, UNSUBSCRIBE, END, QUIT, REVOKE, OPTOUT, CANCEL (opt out) and START, YES, UNSTOP
(opt back in) across the messaging service, so medpass reads them the same way. TAKEN and SKIP (and their
short forms) answer the reminder they reply to; anything else is the patient's own words for a clinician.
"""

from __future__ import annotations

from enum import StrEnum

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "REVOKE", "OPTOUT", "CANCEL"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})
TAKEN = frozenset({"TAKEN", "TAKE", "T", "DONE", "Y"})
SKIPPED = frozenset({"SKIP", "SKIPPED", "S", "MISSED", "N"})


class ReplyKind(StrEnum):
    """How medpass acts on a reply."""

    OPT_OUT = "opt-out"
    OPT_IN = "opt-in"
    HELP = "help"
    TAKEN = "taken"
    SKIPPED = "skipped"
    OWN_WORDS = "own-words"


def classify_reply(body: str) -> ReplyKind:
    """The reply as one keyword (case, spaces and a trailing full stop or exclamation ignored), else own words."""
    word = body.strip().rstrip(".!").strip().upper()
    for keywords, kind in ((OPT_OUT, ReplyKind.OPT_OUT), (OPT_IN, ReplyKind.OPT_IN), (HELP, ReplyKind.HELP),
                           (TAKEN, ReplyKind.TAKEN), (SKIPPED, ReplyKind.SKIPPED)):
        if word in keywords:
            return kind
    return ReplyKind.OWN_WORDS
