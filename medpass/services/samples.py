"""Load the demo patients in fhir_samples/: every message through the same path as `ingest`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from medpass.domain.errors import MessageRejected
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.tasks import CareNetwork
from medpass.services.ingest import IngestResult, ingest_message

_SAMPLE_NAME = re.compile(r"^(?P<feed>gp|mental-health|acute)(?:-(?P<order>\d+))?\.json$")


@dataclass(frozen=True)
class SampleOutcome:
    """What happened to one sample file."""

    path: Path
    result: IngestResult | None
    rejection: MessageRejected | None


def sample_files(samples_dir: Path) -> list[tuple[str, Path]]:
    """(feed, file) for every sample message, patient by patient, oldest first within a feed."""
    found: list[tuple[str, int, Path]] = []
    for path in sorted(samples_dir.glob("*/*.json")):
        match = _SAMPLE_NAME.match(path.name)
        if match:
            found.append((match["feed"], int(match["order"] or 0), path))
    found.sort(key=lambda item: (item[2].parent.name, item[0], item[1]))
    return [(feed, path) for feed, _, path in found]


def load_samples(
    session: Session, samples_dir: Path, *, now: Callable[[], datetime], max_bytes: int, network: CareNetwork,
    public_base_url: str | None,
    settings: ReconciliationSettings,
) -> list[SampleOutcome]:
    """Ingest every sample; already-loaded ones come back as duplicates, so it is safe to run twice."""
    outcomes = []
    for feed, path in sample_files(samples_dir):
        try:
            result = ingest_message(session, feed, path.read_bytes(), sender="medpass load-samples", now=now(), max_bytes=max_bytes,
                                    network=network, public_base_url=public_base_url, settings=settings)
            outcomes.append(SampleOutcome(path, result, None))
        except MessageRejected as rejection:
            outcomes.append(SampleOutcome(path, None, rejection))
    return outcomes
