"""Change-notification Tasks for the API and the command line: find them, read their history, move them on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from medpass.db import tasks
from medpass.domain.errors import NotFound, NotPermitted, StaleVersion
from medpass.domain.tasks import CareTask, TaskStatus, check_move
from medpass.services.storage import storage_errors


def find_task(session: Session, task_id: int) -> CareTask:
    """One Task as it is now, or NotFound."""
    row = tasks.find_task(session, task_id)
    if row is None:
        raise NotFound(f"Task/{task_id} is not known")
    return tasks.as_task(row)


def task_history(session: Session, task_id: int) -> list[CareTask]:
    """Every version of a Task, newest first."""
    row = tasks.find_task(session, task_id)
    if row is None:
        raise NotFound(f"Task/{task_id} is not known")
    return [tasks.as_task(row, version) for version in tasks.task_versions(session, task_id)]


def task_version(session: Session, task_id: int, version: int) -> CareTask:
    """One version of a Task (vread), or NotFound."""
    found = [t for t in task_history(session, task_id) if t.version == version]
    if not found:
        raise NotFound(f"Task/{task_id} has no version {version}")
    return found[0]


def search_tasks(
    session: Session,
    now: datetime,
    *,
    owner_ods: str | None = None,
    statuses: Iterable[str] = (),
    patient_id: int | None = None,
    kinds: Iterable[str] = (),
    overdue: bool = False,
) -> list[CareTask]:
    """Tasks matching every filter, oldest first; `overdue` keeps only requested Tasks past their due time."""
    if overdue:
        statuses = [TaskStatus.REQUESTED.value]
    found = tasks.search_tasks(session, owner_ods=owner_ods, statuses=statuses, patient_id=patient_id, kinds=kinds,
                               due_before=now if overdue else None)
    return [tasks.as_task(row) for row in found]


def update_task(
    session: Session,
    task_id: int,
    *,
    status: TaskStatus,
    reason: str | None,
    note: str | None,
    client_ods: str,
    by: str,
    expected_version: int | None,
    now: datetime,
) -> CareTask:
    """The owning partner moves its Task on (accepted, in-progress, completed, rejected with a reason).

    Only the organisation that owns the Task may change it; If-Match (expected_version) must name the current
    version. The row is locked while it is checked, so two updates never both pass the check.
    """
    with storage_errors(session):
        try:
            row = tasks.find_task_for_update(session, task_id)
            if row is None:
                raise NotFound(f"Task/{task_id} is not known")
            if row.owner_ods != client_ods:
                raise NotPermitted(f"Task/{task_id} is owned by {row.owner_name}; only its owner may change it")
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(f"If-Match names version {expected_version}; Task/{task_id} is at version {row.version}")
            check_move(TaskStatus(row.status), status, reason)
            unchanged = status.value == row.status and reason == row.status_reason and note == row.note
            if not unchanged:
                tasks.change_status(session, row, status.value, reason, note, by, now)
            session.commit()
            return tasks.as_task(row)
        except BaseException:
            session.rollback()
            raise
