"""A patient's mobile number and their consent to SMS (DOMAIN.md §6): nothing is sent without consent or after an opt-out.

Numbers are kept in E.164. UK mobiles only by default (a landline cannot receive an SMS; a number abroad needs
a deliberate choice). Consent is a history of events, newest last: the newest decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import phonenumbers

from medpass.domain.errors import InvalidRequest

#: Ofcom's mobile numbers for drama, 07700 900000 to 900999: never issued to anyone, so the demo and the tests use
#: them (libphonenumber does not list them as valid).
_DRAMA_PREFIX = "7700900"


def _drama_number(number: phonenumbers.PhoneNumber) -> bool:
    """A UK mobile number from Ofcom's drama range."""
    national = str(number.national_number)
    return number.country_code == 44 and len(national) == 10 and national.startswith(_DRAMA_PREFIX)


def normalise_mobile(raw: str, *, uk_only: bool = True) -> str:
    """A mobile number in E.164 (+447700900123), or InvalidRequest saying why it cannot be texted."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise InvalidRequest(f"{raw!r} is not a phone number") from None
    if _drama_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        raise InvalidRequest(f"{raw!r} is not a valid phone number")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidRequest(f"{raw!r} is not a mobile number, so it cannot receive an SMS")
    if uk_only and phonenumbers.region_code_for_number(number) != "GB":
        raise InvalidRequest(f"{raw!r} is not a UK mobile; numbers abroad must be allowed deliberately")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ConsentChange(StrEnum):
    """What a consent event did."""

    OPTED_IN = "opted-in"
    OPTED_OUT = "opted-out"


@dataclass(frozen=True)
class ConsentEvent:
    """One change to a patient's consent: what, when, who recorded it and how (in clinic, by SMS reply, ...)."""

    change: ConsentChange
    at: datetime
    recorded_by: str
    how: str


def may_text(events: tuple[ConsentEvent, ...] | list[ConsentEvent]) -> bool:
    """True only when the newest consent event is an opt-in (no events: no consent)."""
    newest = max(events, key=lambda e: e.at, default=None)
    return newest is not None and newest.change is ConsentChange.OPTED_IN
