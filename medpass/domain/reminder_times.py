"""When a dose reminder is due: the patient's local times in Europe/London, right across both DST changes.

A reminder is planned as a local wall-clock time on a local date (never as "every 24 hours", which drifts an
hour at each change; DOMAIN.md §6). On the March change a time in the missing hour (01:00-01:59) is sent at
the same minutes after the gap (01:30 becomes 02:30 BST): never skipped. On the October change a time in the
repeated hour is sent at its first occurrence only: never twice. Each reminder's key is its plan, local date
and local time, so planning again never makes a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DueReminder:
    """One reminder: its idempotency key, the local date and time it is for, and the instant to send it."""

    key: str
    local_date: date
    local_time: time
    due_at: datetime


def local_instant(day: date, at: time, zone: ZoneInfo = LONDON) -> datetime:
    """The UTC instant of a local wall-clock time: the first of two in the repeated hour, after the gap if missing.

    PEP 495: with fold=0 a repeated time takes its first (summer-time) offset, and a missing time the offset from
    before the gap, which lands the same minutes after it.
    """
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def reminders_between(plan_id: int, times: tuple[time, ...], start: datetime, end: datetime,
                      zone: ZoneInfo = LONDON) -> list[DueReminder]:
    """Every reminder of a plan due in [start, end), in order, each exactly once."""
    found = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for at in sorted(times):
            due = local_instant(day, at, zone)
            if start <= due < end:
                found.append(DueReminder(f"dose:{plan_id}:{day.isoformat()}T{at.strftime('%H:%M')}", day, at, due))
        day += timedelta(days=1)
    return sorted(found, key=lambda r: r.due_at)


#: Default local times for FHIR Timing.when codes (HL7 v3 TimingEvent): patients can choose their own.
WHEN_TIMES = {"MORN": time(8, 0), "ACM": time(7, 30), "CM": time(8, 0), "PCM": time(8, 30), "NOON": time(12, 0),
              "ACD": time(12, 0), "CD": time(12, 30), "PCD": time(13, 0), "AFT": time(14, 0), "EVE": time(18, 0),
              "ACV": time(17, 30), "CV": time(18, 0), "PCV": time(18, 30), "NIGHT": time(21, 0), "HS": time(22, 0)}
#: Spread through the waking day by doses a day, when the sender gave only a frequency.
TIMES_A_DAY = {1: (time(8, 0),), 2: (time(8, 0), time(20, 0)), 3: (time(8, 0), time(14, 0), time(20, 0)),
               4: (time(8, 0), time(12, 0), time(16, 0), time(20, 0))}


def default_times(when: tuple[str, ...], times_a_day: int | None) -> tuple[time, ...]:
    """The reminder times a dosage suggests: its `when` codes, else its doses a day; none for as-needed or unknown."""
    from_when = sorted({WHEN_TIMES[code] for code in when if code in WHEN_TIMES})
    if from_when:
        return tuple(from_when)
    return TIMES_A_DAY.get(times_a_day or 0, ())


def part_of_day(at: time) -> str:
    """'morning', 'midday', 'afternoon', 'evening' or 'night': how a reminder names its time without naming a medicine."""
    if at < time(11, 0):
        return "morning"
    if at < time(13, 30):
        return "midday"
    if at < time(17, 0):
        return "afternoon"
    if at < time(20, 30):
        return "evening"
    return "night"


#: Messages the patient did not schedule (a change, a blood test due) go between 08:00 and 20:00 local time.
#: NHS Notify sends 08:00-18:00 on weekdays (DOMAIN.md §6); medpass keeps every day, to 20:00, because a change
#: to someone's medicines should not wait for a weekend to pass. Dose reminders go at the times the patient chose.
DAYTIME_START, DAYTIME_END = time(8, 0), time(20, 0)


def next_daytime(now: datetime, zone: ZoneInfo = LONDON) -> datetime:
    """`now` if it is within the daytime window in local time, else the next 08:00 local (as UTC)."""
    local = now.astimezone(zone)
    if DAYTIME_START <= local.time() < DAYTIME_END:
        return now
    day = local.date() if local.time() < DAYTIME_START else local.date() + timedelta(days=1)
    return local_instant(day, DAYTIME_START, zone)
