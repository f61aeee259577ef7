"""SMS rules: segments and the length limit, what replies mean, and reminder times across the 2026 DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from medpass.domain.errors import InvalidRequest
from medpass.domain.reminder_times import local_instant, reminders_between
from medpass.domain.sms_replies import ReplyKind, classify_reply
from medpass.domain.sms_text import MAX_CHARACTERS, check_length, sms_length


@pytest.mark.parametrize(("text", "encoding", "segments"), [
    ("a" * 160, "GSM-7", 1), ("a" * 161, "GSM-7", 2), ("a" * 306, "GSM-7", 2), ("a" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1), ("€" * 81, "GSM-7", 2),  # the extension characters count two
    ("é" * 160, "GSM-7", 1), ("ó" * 70, "UCS-2", 1), ("ó" * 71, "UCS-2", 2), ("a" * 134 + "ó", "UCS-2", 3),
    ("🙂" * 35, "UCS-2", 1), ("🙂" * 36, "UCS-2", 2),  # outside the BMP: two UTF-16 units each
])
def test_segments_are_counted_as_gsm7_or_ucs2(text: str, encoding: str, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.segments) == (encoding, segments)


def test_an_sms_longer_than_notifys_limit_or_empty_is_refused() -> None:
    assert check_length("a" * MAX_CHARACTERS).segments == 6
    for text in ("a" * (MAX_CHARACTERS + 1), "   "):
        with pytest.raises(InvalidRequest):
            check_length(text)


@pytest.mark.parametrize(("reply", "kind"), [
    ("STOP", ReplyKind.OPT_OUT), (" stop ", ReplyKind.OPT_OUT), ("Unsubscribe", ReplyKind.OPT_OUT), ("cancel.", ReplyKind.OPT_OUT),
    ("START", ReplyKind.OPT_IN), ("yes", ReplyKind.OPT_IN), ("HELP", ReplyKind.HELP), ("taken", ReplyKind.TAKEN),
    ("T", ReplyKind.TAKEN), ("skip", ReplyKind.SKIPPED), ("S!", ReplyKind.SKIPPED),
    ("stop sending me these at night", ReplyKind.OWN_WORDS), ("I feel dizzy since the new tablets", ReplyKind.OWN_WORDS),
])
def test_replies_are_read_as_twilio_keywords_dose_answers_or_own_words(reply: str, kind: ReplyKind) -> None:
    assert classify_reply(reply) is kind


def test_a_morning_and_night_reminder_keep_their_local_times_across_both_2026_changes() -> None:
    found = reminders_between(7, (time(8, 0), time(21, 0)), datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    assert [r.due_at.strftime("%d %H:%M") for r in found] == ["28 08:00", "28 21:00", "29 07:00", "29 20:00", "30 07:00", "30 20:00"]
    autumn = reminders_between(7, (time(8, 0),), datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 27, tzinfo=UTC))
    assert [r.due_at.strftime("%d %H:%M") for r in autumn] == ["24 07:00", "25 08:00", "26 08:00"]


def test_a_reminder_in_the_missing_hour_is_sent_after_it_and_one_in_the_repeated_hour_once() -> None:
    spring = reminders_between(1, (time(1, 30),), datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))
    assert [r.due_at for r in spring] == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]  # 02:30 BST: not skipped
    autumn = reminders_between(1, (time(1, 30),), datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC))
    assert [r.due_at for r in autumn] == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]  # 01:30 BST, not again at 01:30 GMT
    assert local_instant(autumn[0].local_date, time(1, 30)) == autumn[0].due_at


def test_planning_the_same_window_twice_gives_the_same_keys() -> None:
    window = (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 30, tzinfo=UTC))
    first, again = reminders_between(3, (time(9), time(21)), *window), reminders_between(3, (time(21), time(9)), *window)
    assert [r.key for r in first] == [r.key for r in again] and len({r.key for r in first}) == len(first) == 20
    assert first[0].key == "dose:3:2026-10-20T09:00"


def test_numbers_are_kept_as_e164_uk_mobiles_unless_abroad_is_allowed() -> None:
    from medpass.domain.contacts import normalise_mobile

    assert normalise_mobile("07700 900123") == normalise_mobile("+44 7700 900123") == "+447700900123"
    for bad in ("0207 946 0000", "not a number", "07700"):
        with pytest.raises(InvalidRequest):
            normalise_mobile(bad)
    with pytest.raises(InvalidRequest, match="not a UK mobile"):
        normalise_mobile("+33 6 12 34 56 78")
    assert normalise_mobile("+33 6 12 34 56 78", uk_only=False) == "+33612345678"


def test_only_the_newest_consent_event_decides_and_none_means_no() -> None:
    from medpass.domain.contacts import ConsentChange, ConsentEvent, may_text

    opt_in = ConsentEvent(ConsentChange.OPTED_IN, datetime(2026, 11, 1, tzinfo=UTC), "pharmacist", "in clinic")
    opt_out = ConsentEvent(ConsentChange.OPTED_OUT, datetime(2026, 11, 2, tzinfo=UTC), "patient", "replied STOP")
    assert not may_text([]) and may_text([opt_in]) and not may_text([opt_out, opt_in])
    back = ConsentEvent(ConsentChange.OPTED_IN, datetime(2026, 11, 3, tzinfo=UTC), "patient", "replied START")
    assert may_text([opt_in, opt_out, back])


def test_failures_are_retried_or_not_by_twilio_error_class() -> None:
    from medpass.domain.sms_delivery import Outcome, after_failure

    now = datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert after_failure(21610, 400, 1, now).outcome is Outcome.OPTED_OUT
    assert after_failure(21211, 400, 1, now).outcome is Outcome.BAD_NUMBER
    assert after_failure(30006, None, 1, now).outcome is Outcome.BAD_NUMBER
    assert after_failure(30003, None, 1, now).outcome is Outcome.RETRY and after_failure(30003, None, 2, now).outcome is Outcome.GIVE_UP
    busy = [after_failure(20429, 429, n, now).retry_at for n in (1, 2, 3)]
    assert [(t - now).seconds for t in busy if t] == [30, 60, 120]
    assert after_failure(None, 503, 1, now).outcome is Outcome.RETRY
    assert after_failure(None, None, 1, now).outcome is Outcome.UNKNOWN  # a timeout is never blindly resent
    assert after_failure(21602, 400, 1, now).outcome is Outcome.GIVE_UP


def test_a_reminder_past_its_window_is_dropped_not_sent_late() -> None:
    from datetime import timedelta

    from medpass.domain.sms_delivery import still_worth_sending

    due = datetime(2026, 11, 25, 8, tzinfo=UTC)
    assert still_worth_sending(due, timedelta(hours=1), due + timedelta(minutes=59))
    assert not still_worth_sending(due, timedelta(hours=1), due + timedelta(hours=1))


def test_every_template_keeps_names_private_unless_chosen_and_fits_two_gsm7_segments() -> None:
    from medpass.domain.sms_templates import HELP_TEXT, TEST_TEXT, blood_test_due, dose_reminder, medicines_changed

    names = ("Lithium carbonate 400mg modified-release tablets", "Ramipril 5mg capsules")
    private = [dose_reminder("morning", names, False), medicines_changed(names, False, None), blood_test_due("Lithium level", False),
               HELP_TEXT, TEST_TEXT, medicines_changed(names, False, "https://medpass.example.nhs.uk/p/abc")]
    chosen = [dose_reminder("night", names, True), medicines_changed(names, True, None), blood_test_due("Lithium level", True)]
    for text in private:
        assert "lithium" not in text.lower() and "ramipril" not in text.lower(), text
    for text in chosen:
        assert "Lithium" in text, text
    for text in private + chosen:
        length = sms_length(text)
        assert length.encoding == "GSM-7" and length.segments <= 2 and "date of birth" not in text.lower(), text
        assert "bit.ly" not in text and "tinyurl" not in text


def test_messages_the_patient_did_not_schedule_wait_for_daytime_in_london() -> None:
    from medpass.domain.reminder_times import next_daytime

    noon = datetime(2026, 7, 1, 11, tzinfo=UTC)  # 12:00 BST
    assert next_daytime(noon) == noon
    assert next_daytime(datetime(2026, 7, 1, 19, 30, tzinfo=UTC)) == datetime(2026, 7, 2, 7, tzinfo=UTC)  # 20:30 BST -> 08:00 BST
    assert next_daytime(datetime(2026, 12, 1, 3, tzinfo=UTC)) == datetime(2026, 12, 1, 8, tzinfo=UTC)  # 03:00 GMT -> 08:00 GMT
    assert next_daytime(datetime(2026, 10, 24, 23, tzinfo=UTC)) == datetime(2026, 10, 25, 8, tzinfo=UTC)  # over the change
