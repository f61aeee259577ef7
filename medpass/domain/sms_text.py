"""What an SMS may say and how long it is (DOMAIN.md §6: NHS content guidance, GSM-7 and UCS-2 segments).

Families share phones: a message names no medicine, condition or test unless the patient chose to see them.
GSM-7 carries 160 characters in one SMS and 153 per segment after that; one character outside it makes the
whole message UCS-2 (70, then 67). The extension characters count twice. GOV.UK Notify's limit, 918
characters, is medpass's hard limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from medpass.domain.errors import InvalidRequest

#: The GSM 03.38 basic character set.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters of the GSM 03.38 extension table: each costs two (an escape, then the character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
#: GOV.UK Notify's limit for one text message (6 concatenated GSM-7 segments, 918 characters).
MAX_CHARACTERS = 918


@dataclass(frozen=True)
class SmsLength:
    """How an SMS travels: its encoding, its length in that encoding, and how many segments it costs."""

    encoding: str
    units: int
    segments: int


def sms_length(text: str) -> SmsLength:
    """GSM-7 when every character is in it (extension characters count two), else UCS-2 (UTF-16 code units)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return SmsLength("GSM-7", units, 1 if units <= 160 else -(-units // 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsLength("UCS-2", units, 1 if units <= 70 else -(-units // 67))


def check_length(text: str) -> SmsLength:
    """The message's length, or InvalidRequest when it is empty or longer than medpass ever sends."""
    if not text.strip():
        raise InvalidRequest("an SMS needs some text")
    length = sms_length(text)
    if len(text) > MAX_CHARACTERS:
        raise InvalidRequest(f"an SMS is at most {MAX_CHARACTERS} characters (this one is {len(text)})")
    return length
