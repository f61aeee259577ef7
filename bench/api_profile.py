"""Where one FHIR API request's time goes: the real app in process (Flask test client), cProfile'd.

    .venv/bin/python bench/api_profile.py --database-url URL [--requests 400] [--top 25]

Use a store kept by bench/api_bench.py (--sqlite PATH --keep, or --postgres URL --schema NAME --keep; for
PostgreSQL pass the URL it prints, with its search_path). For each endpoint: the time per request without
the profiler, then the share of the profiled time spent in each step of the request, then the functions with
the most cumulative time. No HTTP server: gunicorn's part is what api_bench.py measures beside the ceiling.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from medpass import create_app
from medpass.config import Config
from medpass.services.clients import create_client

PATHS = {"passport": "/fhir/Patient/{}/$passport", "search": "/fhir/MedicationStatement?patient=Patient/{}"}
#: Steps of a request, as (label, file suffix, function name): cumulative time of that function.
STEPS = [
    ("authenticate (token lookup)", "services/clients.py", "authenticate"),
    ("audit (insert + commit, own session)", "services/audit.py", "record_interaction"),
    ("make_passport", "services/passport.py", "make_passport"),
    ("  reconcile_patient", "services/reconcile.py", "reconcile_patient"),
    ("    feed_lists (2 queries + rows to domain)", "db/feed_views.py", "feed_lists"),
    ("    reconcile (domain)", "domain/reconciliation.py", "reconcile"),
    ("    save_found (load issues, set fields)", "db/issues.py", "save_found"),
    ("    patient_issues (read issues back)", "db/issues.py", "patient_issues"),
    ("  _allergies (one query per feed)", "services/passport.py", "_allergies"),
    ("  build_passport (domain), twice", "domain/passport.py", "build_passport"),
    ("passport_document (FHIR Bundle)", "fhir/build_passport.py", "passport_document"),
    ("current_statements (3 queries + rows to domain)", "services/statement_reads.py", "current_statements"),
    ("  _entry_of (rows to domain)", "db/feed_views.py", "_entry_of"),
    ("medication_statement (FHIR, per statement)", "fhir/build_statement.py", "medication_statement"),
    ("json.dumps of the response", "fhir_api.py", "fhir"),
    ("Session.flush (ORM unit of work)", "orm/session.py", "flush"),
    ("Session.commit", "orm/session.py", "commit"),
    ("database driver (execute, fetch, commit)", "", ""),
]


_DRIVER_CALLS = ("execute", "executemany", "fetchone", "fetchall", "fetchmany", "commit", "rollback")


def _is_driver_call(filename: str, function: str) -> bool:
    """A top-level call into sqlite3 or psycopg (cursor execute and fetch, connection commit and rollback)."""
    if filename == "~":
        return any(f"<method '{name}' of 'sqlite3." in function for name in _DRIVER_CALLS)
    return ("psycopg/cursor.py" in filename or "psycopg/connection.py" in filename) and function in _DRIVER_CALLS


def step_times(stats: pstats.Stats, requests: int) -> list[tuple[str, float]]:
    """Cumulative ms per request of each step's function."""
    found = []
    raw = stats.stats  # type: ignore[attr-defined]
    for label, suffix, name in STEPS:
        total = 0.0
        for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in raw.items():
            if not suffix:  # the driver: sqlite3's methods are builtins, psycopg's are Python
                if _is_driver_call(filename, function):
                    total += cumulative
                continue
            if function == name and filename.endswith(suffix):
                total = max(total, cumulative)  # Session.commit calls SessionTransaction.commit: count the outer one
        found.append((label, total * 1000 / requests))
    return found


def main() -> None:
    """Profile each endpoint over random patients of the store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--target", choices=sorted(PATHS), action="append", help="default: both")
    args = parser.parse_args()
    app = create_app(Config.from_env({"DATABASE_URL": args.database_url, "MEDPASS_INSTANCE_PATH": "/tmp"}))
    engine = app.extensions["medpass"]["engine"]
    with engine.connect() as connection:
        patients = int(connection.execute(text("SELECT count(*) FROM patients")).scalar_one())
    with app.extensions["medpass"]["sessions"]() as session:
        _, token = create_client(session, name="Profile", ods_code="A12345", feed=None, scopes=["system/*.rs"], now=datetime.now(UTC))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    rng = random.Random(1)

    def run(path: str, count: int) -> None:
        for _ in range(count):
            answer = client.get(path.format(rng.randint(1, patients)), headers=headers)
            if answer.status_code != 200:
                raise RuntimeError(f"{answer.status_code}: {answer.get_data(as_text=True)[:300]}")

    for target in args.target or sorted(PATHS):
        run(PATHS[target], 20)  # warm caches
        started = time.perf_counter()
        run(PATHS[target], args.requests)
        plain = (time.perf_counter() - started) * 1000 / args.requests
        profiler = cProfile.Profile()
        profiler.enable()
        started = time.perf_counter()
        run(PATHS[target], args.requests)
        profiled = (time.perf_counter() - started) * 1000 / args.requests
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"\n== {target}: {plain:.2f} ms per request in process without the profiler, {profiled:.2f} ms with it "
              f"({patients:,} patients, {args.requests} requests)")
        for label, ms in step_times(stats, args.requests):
            if ms:
                print(f"  {label:52} {ms:6.2f} ms  {ms / profiled:4.0%}")
        print(f"  top {args.top} functions by cumulative time:")
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
