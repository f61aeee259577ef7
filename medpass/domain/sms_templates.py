"""Every SMS medpass sends, in one place, with the content rules (DOMAIN.md §6; NHS guidance on messages).

Families share phones: a message names no medicine, condition or test unless the patient chose to see
names. No link shorteners, never a request for date of birth. Each template stays within GSM-7 and two
segments, which the tests check for every template with and without names.
"""

from __future__ import annotations

from enum import StrEnum

from medpass.domain.sms_text import check_length


class MessageKind(StrEnum):
    """What a message is for (the outbox's `kind`)."""

    DOSE_REMINDER = "dose-reminder"
    MEDICINES_CHANGED = "medicines-changed"
    BLOOD_TEST_DUE = "blood-test-due"
    TEST = "test"
    HELP_REPLY = "help-reply"


SERVICE = "medpass, your medicines service"
HELP_TEXT = (f"{SERVICE}: reminders from your care team. For help with your medicines call your GP practice or pharmacy. "
             "Reply STOP to stop these messages, START to have them again.")
TEST_TEXT = f"This is a test message from {SERVICE}. No reply is needed."


def _named(names: tuple[str, ...], show_names: bool) -> str:
    """' (A, B)' when the patient chose to see names, else nothing."""
    return f" ({', '.join(names)})" if show_names and names else ""


def dose_reminder(when: str, names: tuple[str, ...], show_names: bool) -> str:
    """'It is time for your morning medicines. Reply TAKEN or SKIP.'"""
    return _checked(f"{SERVICE}: it is time for your {when} medicines{_named(names, show_names)}. Reply TAKEN or SKIP.")


def medicines_changed(names: tuple[str, ...], show_names: bool, passport_url: str | None) -> str:
    """'Your medicines have changed.' with where to see the new list when medpass has a public link for it."""
    see = f" See your list: {passport_url}" if passport_url else " Your GP practice or pharmacy can tell you more."
    return _checked(f"{SERVICE}: your medicines have changed{_named(names, show_names)}.{see} Reply HELP for help.")


def blood_test_due(test: str, show_names: bool) -> str:
    """'You are due a blood test.' (the test's name only when the patient chose to see names)."""
    what = f" ({test})" if show_names else ""
    return _checked(f"{SERVICE}: you are due a blood test{what}. Please contact your GP practice to book it.")


def _checked(text: str) -> str:
    """The text, refused if it breaks the length rules."""
    check_length(text)
    return text
