"""Ingest throughput beside fhir.resources parse-only throughput on the same messages (the ceiling).

    .venv/bin/python bench/ingest_bench.py --patients 1000 [--postgres URL]

Messages go through the same service call as `flask --app medpass ingest` (read a file, ingest_message,
one commit per message). The ratio of the two rates is what matters: both are measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import text

from bench.practice import practice
from medpass.config import DEFAULT_DEPOT_GRACE_DAYS
from medpass.db.migrate import upgrade_database
from medpass.db.session import make_engine, make_sessionmaker
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.ingest import ingest_message

RECONCILIATION = ReconciliationSettings(DEFAULT_DEPOT_GRACE_DAYS)


def write_files(folder: Path, patients: int) -> list[tuple[str, Path]]:
    """Write the practice to disk, as a feed would deliver files to the CLI."""
    files = []
    for index, (feed, raw) in enumerate(practice(patients)):
        path = folder / f"{index:06d}-{feed}.json"
        path.write_bytes(raw)
        files.append((feed, path))
    return files


def statements_in(files: list[tuple[str, Path]]) -> int:
    """How many MedicationStatements the files carry."""
    return sum(
        sum(1 for e in json.loads(p.read_bytes())["entry"] if e["resource"]["resourceType"] == "MedicationStatement")
        for _, p in files
    )


def parse_only(files: list[tuple[str, Path]]) -> float:
    """Seconds for fhir.resources to read the files (json + R4B Bundle validation): the ceiling."""
    started = time.perf_counter()
    for _, path in files:
        Bundle.model_validate(json.loads(path.read_bytes()))
    return time.perf_counter() - started


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Target:
    """One database being filled, timed only while medpass ingests into it."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.engine = make_engine(url)
        upgrade_database(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        self.seconds = 0.0
        self.rss: list[float] = []

    def ingest(self, files: list[tuple[str, Path]]) -> None:
        """Ingest files one by one, exactly as `flask --app medpass ingest` does: one transaction each."""
        started = time.perf_counter()
        for feed, path in files:
            with self.sessions() as session:
                ingest_message(session, feed, path.read_bytes(), sender="bench", now=datetime.now(UTC), max_bytes=5 << 20,
                               network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
        self.seconds += time.perf_counter() - started
        self.rss.append(round(max_rss_mb(), 1))


def fresh_postgres_schema(url: str) -> str:
    """A new schema on the given PostgreSQL for this run, returned as a URL with its search_path."""
    from sqlalchemy.engine import make_url

    schema = f"bench_{int(time.time())}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def main() -> None:
    """Run the benchmark and print a table of the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--postgres", help="a PostgreSQL URL (postgresql+psycopg://...) to measure as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), args.patients)
        count = statements_in(files)
        print(f"{len(files)} messages, {count} MedicationStatements ({args.patients} patients x 3 feeds)")
        parse_only(files[:30])  # warm fhir.resources' model caches before anything is timed
        targets = [Target("SQLite", f"sqlite:///{folder}/bench.db")]
        if args.postgres:
            targets.append(Target("PostgreSQL", fresh_postgres_schema(args.postgres)))
        # Interleave the ceiling and each target chunk by chunk, so that drift in the machine's speed
        # affects all of them alike: the ratios are what this benchmark reports.
        ceiling_seconds, chunk = 0.0, max(1, len(files) // 10)
        for start in range(0, len(files), chunk):
            part = files[start:start + chunk]
            ceiling_seconds += parse_only(part)
            for target in targets:
                target.ingest(part)
        ceiling = count / ceiling_seconds
        print(f"fhir.resources parse-only: {ceiling:,.0f} statements/s (the ceiling)")
        for target in targets:
            rate = count / target.seconds
            print(f"{target.name}: {rate:,.0f} statements/s = {rate / ceiling:.0%} of parse-only; "
                  f"{len(files) / target.seconds:,.0f} messages/s; peak RSS MB after each tenth: {target.rss}")


if __name__ == "__main__":
    main()
