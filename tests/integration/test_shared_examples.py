"""Every public medication example is ingested or refused with a clear OperationOutcome, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from medpass.domain.errors import MessageRejected
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.outcome import operation_outcome
from medpass.services.ingest import ingest_message
from tests.conftest import NOW, RECONCILIATION, SHARED, shared_path, snapshot
from tests.fhir_schema import schema_errors

EXAMPLE_DIRS = ("fhir/hl7-r4-examples", "fhir/uk-core-examples", "fhir/gp-connect")


def _examples() -> list[str]:
    """Every example file, relative to ../shared (none where ../shared is absent: the test then skips)."""
    return sorted(
        str(path.relative_to(SHARED)) for folder in EXAMPLE_DIRS for path in (SHARED / folder).glob("*.json")
    ) or ["fhir/hl7-r4-examples"]


@pytest.mark.parametrize("example", _examples())
def test_public_example_is_ingested_or_refused_with_an_operation_outcome(example: str, session: Session, engine: Engine) -> None:
    path: Path = shared_path(example)
    if path.is_dir():
        pytest.fail(f"no examples found under {path}")
    before = snapshot(engine)
    try:
        result = ingest_message(session, "gp", path.read_bytes(), sender="examples", now=NOW, max_bytes=5 * 1024 * 1024,
                                network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    except MessageRejected as rejection:
        outcome = operation_outcome(rejection.issues)
        assert rejection.issues and all(issue.diagnostics for issue in rejection.issues)
        assert schema_errors(outcome) == []
        assert snapshot(engine) == before
    else:
        assert result.message_id > 0 and not result.duplicate


def test_the_gp_connect_example_is_read_with_its_repairs_reported(session: Session) -> None:
    raw = shared_path("fhir/gp-connect/meds_response.json").read_bytes()
    result = ingest_message(session, "gp", raw, sender="examples", now=NOW, max_bytes=5 * 1024 * 1024,
                            network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    assert (result.nhs_number, result.medications) == ("9999999999", 2)
    assert {w.location for w in result.warnings} >= {
        "Bundle.entry[5].resource.basedOn",
        "Bundle.entry[8].resource.dispenseRequest.expectedSupplyDuration.code",
    }
