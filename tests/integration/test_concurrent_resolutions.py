"""Two clinicians resolve the same discrepancy at once: If-Match is checked under the row's lock, so exactly one wins.

On PostgreSQL a third transaction holds the DetectedIssue row until both requests are waiting for it, so both
have read version 1 before either writes (the interleaving in which both used to win). On SQLite every writing
request takes the database's write lock when it begins, so the two run one after the other by design.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from medpass.db.rows import DetectedIssueRow
from medpass.domain.issue_lifecycle import IssueStatus
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.clients import create_client
from medpass.services.issue_reads import find_detected_issue
from medpass.services.reconcile import reconcile_patient
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, SAMPLES

LITHIUM_PATIENT = "9999986986"
EXTENSION = "https://medpass.example/fhir/StructureDefinition/discrepancy-"


@pytest.fixture
def held_ramipril(session: Session) -> str:
    """The demo data loaded; the id of the open discrepancy about the ramipril the hospital held."""
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    return next(i.resource_id for i in reconcile_patient(session, LITHIUM_PATIENT, NOW,
                                                         RECONCILIATION).issues if i.code == "stopped-elsewhere")


def _waiting_behind(connection: Connection, holder: int) -> int:
    """How many PostgreSQL backends wait, directly or in line behind another waiter, for the holder's locks."""
    return int(connection.execute(text(
        "WITH RECURSIVE waiting(pid) AS (SELECT pid FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid)) "
        "UNION SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid))) "
        "SELECT count(*) FROM waiting"), {"holder": holder}).scalar_one())


@contextmanager
def row_held_until_two_wait(engine: Engine, issue_id: str) -> Iterator[None]:
    """PostgreSQL: lock the issue's row, run the body (which starts two writers), release once both wait for it."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as holder, engine.connect() as watcher:
        holder.begin()
        holder.execute(select(DetectedIssueRow.id).where(DetectedIssueRow.resource_id == issue_id).with_for_update())
        pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
        yield
        deadline = time.monotonic() + 30
        while _waiting_behind(watcher, pid) < 2:
            assert time.monotonic() < deadline, "the two resolutions never both waited for the row"
            watcher.rollback()
            time.sleep(0.05)
        holder.rollback()


def _resolution(issue_id: str, author: str, method: str) -> tuple[str, str]:
    """A request body resolving the issue as `author` (accept the hospital's version), as PUT or JSON Patch."""
    mitigation = {"action": {"text": "Held for AKI"}, "author": {"display": author},
                  "extension": [{"url": f"{EXTENSION}intent", "valueCode": "intentional"},
                                {"url": f"{EXTENSION}accepted-feed", "valueCode": "acute"}]}
    if method == "PATCH":
        patch = [{"op": "replace", "path": "/status", "value": "final"}, {"op": "add", "path": "/mitigation", "value": [mitigation]}]
        return json.dumps(patch), "application/json-patch+json"
    resource = {"resourceType": "DetectedIssue", "id": issue_id, "status": "final", "mitigation": [mitigation]}
    return json.dumps(resource), "application/fhir+json"


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_two_resolutions_sent_at_once_with_the_same_if_match_let_exactly_one_win(
    method: str, app: Flask, session: Session, engine: Engine, held_ramipril: str
) -> None:
    _, token = create_client(session, name="Practice system", ods_code="ZZG02", feed="gp", scopes=["system/DetectedIssue.rus"], now=NOW)
    answers: dict[str, tuple[int, Any]] = {}

    def resolve_as(author: str) -> None:
        data, content_type = _resolution(held_ramipril, author, method)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type, "If-Match": 'W/"1"'}
        response = app.test_client().open(f"/fhir/DetectedIssue/{held_ramipril}", method=method, data=data, headers=headers)
        answers[author] = (response.status_code, response.get_json(force=True))

    with row_held_until_two_wait(engine, held_ramipril):
        threads = [threading.Thread(target=resolve_as, args=(author,)) for author in ("Dr One", "Dr Two")]
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in answers.values()) == [200, 412]
    winner = next(author for author, (status, _) in answers.items() if status == 200)
    loser_body = next(body for author, (_, body) in answers.items() if author != winner)
    assert loser_body == {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error", "code": "conflict",
        "diagnostics": f'If-Match names version 1; DetectedIssue/{held_ramipril} is at W/"2"'}]}
    stored = find_detected_issue(session, held_ramipril)
    assert stored.status is IssueStatus.RESOLVED and stored.version == 2
    assert [(a.action, a.recorded_by) for a in stored.actions] == [("resolve", f"{winner} via Practice system (ZZG02)")]

