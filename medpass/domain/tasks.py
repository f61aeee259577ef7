"""Change notifications as Tasks: who is told, by when, and how a partner closes the loop (issue 4).

When one care partner changes a patient's medicines, or a change opens a high-severity discrepancy, every
other partner gets a Task (FHIR R4 Task, workflow statuses). A partner acknowledges it (accepted), says it is
done (completed) or declines it with a reason (rejected); a Task nobody has acknowledged by its due time is
overdue. Why it matters: referral schemes that only send a message leak (issue 4: 31-38% actioned).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from medpass.domain.errors import Conflict, InvalidRequest
from medpass.domain.feeds import Feed


class TaskStatus(StrEnum):
    """The R4 task-status codes a notification moves through."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


#: A closed Task stays closed: a new change makes a new Task.
CLOSED = frozenset({TaskStatus.COMPLETED, TaskStatus.REJECTED, TaskStatus.CANCELLED})
#: What the owning partner may move a Task to from each open status (cancelled is medpass's, never a partner's).
ALLOWED_MOVES: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.REQUESTED: frozenset({TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.REJECTED}),
    TaskStatus.ACCEPTED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.REJECTED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.COMPLETED, TaskStatus.REJECTED}),
}


class TaskKind(StrEnum):
    """What the Task is about: a medicine one partner started, paused, stopped or changed, or a discrepancy."""

    STARTED = "started"
    PAUSED = "paused"
    STOPPED = "stopped"
    CHANGED = "changed"
    DISCREPANCY = "high-severity-discrepancy"
    MISSED_DOSES = "missed-doses"


@dataclass(frozen=True)
class Partner:
    """A care partner who receives Tasks: the feed it writes, its ODS code (if known) and its name."""

    feed: Feed
    ods_code: str | None
    name: str

    @property
    def reference(self) -> str | None:
        """Organization/<ODS code>, the owner a partner searches by."""
        return f"Organization/{self.ods_code}" if self.ods_code else None


@dataclass(frozen=True)
class AcknowledgementWindows:
    """How long a partner has to acknowledge a Task before it is overdue (configurable, see docs/NOTIFICATIONS.md).

    Defaults follow NICE NG5 / QS120 (DOMAIN.md §1): after discharge the GP record is reconciled within a
    week; a high-severity discrepancy is treated like an admission, reconciled within 24 hours.
    """

    routine: timedelta = timedelta(days=7)
    urgent: timedelta = timedelta(hours=24)

    def due(self, authored: datetime, urgent: bool) -> datetime:
        """When a Task authored at `authored` becomes overdue if nobody has acknowledged it."""
        return authored + (self.urgent if urgent else self.routine)


@dataclass(frozen=True)
class CareNetwork:
    """The partners around every patient: their GP practice (from the feeds), one trust and one hospital.

    The defaults are the synthetic organisations of the demo data (ODS codes ZZ...); a deployment sets its own.
    """

    trust: Partner = Partner(Feed.MENTAL_HEALTH, "ZZT01", "Northside Mental Health NHS Trust")
    hospital: Partner = Partner(Feed.ACUTE, "ZZH01", "Riverside General Hospital")
    windows: AcknowledgementWindows = AcknowledgementWindows()

    def partners(self, gp_ods: str | None, gp_name: str | None) -> tuple[Partner, ...]:
        """The patient's three partners; the GP practice is the one Patient.generalPractitioner names."""
        return Partner(Feed.GP, gp_ods, gp_name or "GP practice (not known)"), self.trust, self.hospital

    def to_tell(self, sender: Feed, gp_ods: str | None, gp_name: str | None) -> list[Partner]:
        """Every partner but the one whose message made the change."""
        return [p for p in self.partners(gp_ods, gp_name) if p.feed is not sender]


#: The demo's network (synthetic organisations); a deployment configures its own (Config.care_network).
DEMO_NETWORK = CareNetwork()


@dataclass(frozen=True)
class MissedDoseRule:
    """When missed doses call for the care team: `threshold` reminders answered SKIP or not answered in `days` days.

    Configurable (MEDPASS_MISSED_DOSES, MEDPASS_MISSED_DOSES_DAYS); the default, three in seven days, is the
    issue's example. Adherence matters most for the medicines medpass watches: 30-50% of medicines are not
    taken as intended (issue 5).
    """

    threshold: int = 3
    days: int = 7


def is_overdue(status: TaskStatus, due: datetime, now: datetime) -> bool:
    """Nobody acknowledged it in time: still requested after its due time."""
    return status is TaskStatus.REQUESTED and now > due


def check_move(current: TaskStatus, wanted: TaskStatus, reason: str | None) -> None:
    """Raise unless the owner may move a Task from `current` to `wanted` (rejected needs a reason)."""
    if wanted is current:
        return
    if current in CLOSED:
        raise Conflict(f"the Task is already {current.value}; a closed Task does not change (a new change makes a new Task)")
    if wanted not in ALLOWED_MOVES[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_MOVES[current]))
        raise InvalidRequest(f"a {current.value} Task can move to {allowed}, not {wanted.value}")
    if wanted is TaskStatus.REJECTED and not (reason and reason.strip()):
        raise InvalidRequest("a rejected Task needs a reason: Task.statusReason.text")


def parse_status(value: object) -> TaskStatus:
    """A Task.status from a client, or InvalidRequest naming the choices."""
    try:
        return TaskStatus(str(value))
    except ValueError:
        raise InvalidRequest(f"Task.status {value!r} is not an R4 task-status code") from None


@dataclass(frozen=True)
class CareTask:
    """A change notification to one partner, as stored (one version of it)."""

    id: int
    patient_id: int
    requester: Partner | None  # None: raised from the patient's own SMS replies, not by a partner's message
    owner: Partner
    kind: TaskKind
    focus: str
    medicine: str
    description: str
    urgent: bool
    status: TaskStatus
    status_reason: str | None
    note: str | None
    authored_on: datetime
    due_at: datetime
    last_modified: datetime
    modified_by: str
    version: int

    def overdue(self, now: datetime) -> bool:
        """Still waiting for its owner to acknowledge it after its due time."""
        return is_overdue(self.status, self.due_at, now)
