"""A store of N synthetic patients for the API benchmark, built fast enough for 100,000 patients.

The first `seed` patients (bench/practice.py, three feeds each) go through the real service: `ingest_message`
for every message (which reconciles and stores the discrepancies), then `make_passport` once each, as a GP
system would fetch a first passport. Every further patient is a copy of a seed patient made with SQL: new
patient id, a new valid 999-range NHS number and family name (also rewritten inside the stored raw message and
the stored passport), the same messages, medicines, discrepancies and passport under new ids. A copy reads and
reconciles exactly as its seed does; only `feed_messages.content_hash` is left as the seed's (it is used only
to spot a re-sent message).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, insert, select, text

from bench.practice import message, nhs_number
from medpass.config import DEFAULT_DEPOT_GRACE_DAYS
from medpass.db.rows import PassportRow
from medpass.db.tables import PATIENTS
from medpass.domain.issue_lifecycle import issue_resource_id
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.ingest import ingest_message
from medpass.services.passport import _digest as passport_digest
from medpass.services.passport import make_passport

RECONCILIATION = ReconciliationSettings(DEFAULT_DEPOT_GRACE_DAYS)

FEEDS = ("gp", "mental-health", "acute")
#: Tables whose rows belong to one patient and are copied with it; audit events, clients and resolutions are not.
COPIED = ("feed_messages", "feed_medications", "feed_allergies", "feed_test_results", "detected_issues", "passports")
#: Copied by INSERT ... SELECT; passports are rewritten in Python (their content names statements by id).
COPIED_BY_SQL = COPIED[:-1]
_STATEMENT_PREFIX = "MedicationStatement/"
PASSPORTS: Table = PassportRow.__table__  # type: ignore[assignment]


def _sha256(value: str) -> str:
    """SHA-256 hex digest, registered as a SQLite function (PostgreSQL has its own)."""
    return hashlib.sha256(value.encode()).hexdigest()


def register_sqlite_functions(engine: Engine) -> None:
    """Give SQLite connections of this engine a bench_sha256() function."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda dbapi, _record: dbapi.create_function("bench_sha256", 1, _sha256, deterministic=True))


def patient_count(engine: Engine) -> int:
    """How many patients the store holds (ids are 1..count: this module never leaves gaps)."""
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM patients")).scalar_one())


def ingest_seed(engine: Engine, sessions: Any, patients: int, progress: Callable[[str], None] = print) -> float:
    """Ingest `patients` generated patients through the service (3 messages each), then make each passport once."""
    started = time.perf_counter()
    for serial in range(1, patients + 1):
        for feed in FEEDS:
            with sessions() as session:
                ingest_message(session, feed, message(serial, feed), sender="bench", now=datetime.now(UTC), max_bytes=5 << 20,
                               network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
        with sessions() as session:
            make_passport(session, nhs_number(serial), datetime.now(UTC), settings=RECONCILIATION)
        if serial % 250 == 0:
            progress(f"  ingested {serial:,} patients ({time.perf_counter() - started:.0f} s)")
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT min(id), max(id), count(*) FROM patients")).one()
    if tuple(ids) != (1, patients, patients):
        raise RuntimeError(f"the seed patients should have ids 1..{patients} in a fresh store, found {tuple(ids)}")
    return time.perf_counter() - started


def _columns(connection: Connection, table: str) -> list[str]:
    """The table's column names, in order."""
    from sqlalchemy import inspect

    return [c["name"] for c in inspect(connection).get_columns(table)]


def _max_id(connection: Connection, table: str) -> int:
    """The highest id in a table (0 when empty)."""
    return int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())


def _copy_statement(dialect: str, table: str, columns: list[str]) -> str:
    """INSERT ... SELECT copying the rows of seed patients 1..:upto to patient id + :pat_off, every id shifted."""
    postgres = dialect == "postgresql"

    def renamed(column: str, old_family: str, new_family: str) -> str:
        """A text column of the copy in which the seed's NHS number and family name are the new patient's."""
        value = f"replace(t.{column}, '\"' || sp.nhs_number || '\"', '\"' || np.nhs_number || '\"')"
        return f"replace({value}, {old_family}, {new_family})"

    def implicated() -> str:
        """The implicated statement references, shifted to the copied statements' ids."""
        if postgres:
            return ("coalesce((SELECT json_agg('MedicationStatement/' || (substr(j.ref, 21)::bigint + :med_off) ORDER BY j.n) "
                    "FROM json_array_elements_text(t.implicated) WITH ORDINALITY AS j(ref, n)), '[]'::json)")
        return ("(SELECT json_group_array('MedicationStatement/' || (CAST(substr(j.value, 21) AS INTEGER) + :med_off)) "
                "FROM json_each(t.implicated) AS j)")

    offsets = {"feed_messages": ":msg_off", "feed_medications": ":med_off", "feed_allergies": ":alg_off",
               "feed_test_results": ":lab_off", "detected_issues": ":iss_off"}
    select_list = []
    for column in columns:
        if column == "id":
            expression = f"t.id + {offsets[table]}"
        elif column == "patient_id":
            expression = "t.patient_id + :pat_off"
        elif column == "message_id":
            expression = "t.message_id + :msg_off"
        elif table == "feed_messages" and column == "raw":
            expression = renamed("raw", "'\"' || sp.family || '\"'", "'\"' || np.family || '\"'")
        elif table == "detected_issues" and column == "resource_id":
            key = "CAST(t.patient_id + :pat_off AS TEXT) || '|' || t.issue_key"  # as issue_lifecycle.issue_resource_id
            digest = f"encode(sha256(convert_to({key}, 'UTF8')), 'hex')" if postgres else f"bench_sha256({key})"
            expression = f"substr({digest}, 1, 32)"
        elif table == "detected_issues" and column == "implicated":
            expression = implicated()
        else:
            expression = f"t.{column}"
        select_list.append(expression)
    return (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(select_list)} FROM {table} AS t "
            f"JOIN patients AS sp ON sp.id = t.patient_id JOIN patients AS np ON np.id = t.patient_id + :pat_off "
            f"WHERE t.patient_id <= :upto ORDER BY t.id")


def _shifted(value: Any, med_off: int) -> Any:
    """A passport's content with every MedicationStatement/{id} reference shifted to the copied statements."""
    if isinstance(value, dict):
        return {k: _shifted(v, med_off) for k, v in value.items()}
    if isinstance(value, list):
        return [_shifted(v, med_off) for v in value]
    if isinstance(value, str) and value.startswith(_STATEMENT_PREFIX) and value[len(_STATEMENT_PREFIX):].isdigit():
        return f"{_STATEMENT_PREFIX}{int(value[len(_STATEMENT_PREFIX):]) + med_off}"
    return value


def _passport_copy(row: dict[str, Any], pat_off: int, med_off: int) -> dict[str, Any]:
    """A seed patient's stored passport, for the copy of that patient."""
    new_id = row["patient_id"] + pat_off
    content = _shifted(json.loads(row["content"]) if isinstance(row["content"], str) else row["content"], med_off)
    content["nhs_number"] = nhs_number(new_id)
    content["name"] = content["name"].replace(f" BENCHMARK{row['patient_id']}", f" BENCHMARK{new_id}")
    # The hash covers the medicines, whose sources are statement ids: the service's own digest, so they stay in step.
    return {**row, "patient_id": new_id, "content": content, "content_hash": passport_digest(content)}


def grow(engine: Engine, seed: int, target: int, progress: Callable[[str], None] = print) -> float:
    """Copy seed patients (ids 1..seed) until the store holds `target` patients; return the seconds taken."""
    started = time.perf_counter()
    dialect = engine.dialect.name
    with engine.connect() as connection:
        statements = {table: _copy_statement(dialect, table, _columns(connection, table)) for table in COPIED_BY_SQL}
        seeds = [dict(r._mapping) for r in connection.execute(select(PATIENTS).where(PATIENTS.c.id <= seed).order_by(PATIENTS.c.id))]
        passports = [dict(r._mapping) for r in connection.execute(select(PASSPORTS).where(PASSPORTS.c.patient_id <= seed)
                                                                  .order_by(PASSPORTS.c.id))]
    current = patient_count(engine)
    while current < target:
        upto = min(seed, target - current)
        with engine.begin() as connection:
            # Every table's new ids start after its highest id, so copies never collide with each other or the seeds.
            offsets = {"pat_off": current, "upto": upto, "msg_off": _max_id(connection, "feed_messages"),
                       "med_off": _max_id(connection, "feed_medications"), "alg_off": _max_id(connection, "feed_allergies"),
                       "lab_off": _max_id(connection, "feed_test_results"), "iss_off": _max_id(connection, "detected_issues"),
                       "pas_off": _max_id(connection, "passports")}
            connection.execute(insert(PATIENTS), [
                {**row, "id": current + row["id"], "nhs_number": nhs_number(current + row["id"]),
                 "family": f"Benchmark{current + row['id']}"}
                for row in seeds[:upto]
            ])
            for table in COPIED_BY_SQL:
                connection.execute(text(statements[table]), offsets)
            first = offsets["pas_off"] + 1
            copies = [_passport_copy(row, current, offsets["med_off"]) for row in passports if row["patient_id"] <= upto]
            if copies:
                connection.execute(insert(PASSPORTS), [{**c, "id": first + i} for i, c in enumerate(copies)])
        current += upto
        if current % 10_000 < seed or current == target:
            progress(f"  {current:,} patients ({time.perf_counter() - started:.0f} s)")
    finish(engine)
    return time.perf_counter() - started


def finish(engine: Engine) -> None:
    """After rows were written with explicit ids: PostgreSQL's sequences move past them, and its statistics are fresh."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("patients", *COPIED):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def check_copy(engine: Engine, sessions: Any, seed: int) -> None:
    """A copied patient's rows match its seed's: same medicines, same discrepancies, references to its own statements.

    Then the service makes the copy's passport: it must find the stored discrepancies and passport as they are.
    """
    with engine.connect() as connection:
        total = patient_count(engine)
        if total <= seed:
            return
        copy_id = total
        seed_id = (copy_id - 1) % seed + 1
        count = "SELECT count(*) FROM {table} WHERE patient_id = :p"
        for table in COPIED:
            seed_rows = connection.execute(text(count.format(table=table)), {"p": seed_id}).scalar_one()
            copy_rows = connection.execute(text(count.format(table=table)), {"p": copy_id}).scalar_one()
            if seed_rows != copy_rows:
                raise RuntimeError(f"{table}: patient {copy_id} has {copy_rows} rows, its seed {seed_id} has {seed_rows}")
        statements = {f"{_STATEMENT_PREFIX}{i}" for i in connection.execute(
            text("SELECT id FROM feed_medications WHERE patient_id = :p"), {"p": copy_id}).scalars()}
        rows = connection.execute(text("SELECT patient_id, implicated FROM detected_issues WHERE patient_id = :p"), {"p": copy_id}).all()
        for _, implicated in rows:
            references = implicated if isinstance(implicated, list) else json.loads(implicated)
            if not set(references) <= statements:
                raise RuntimeError(f"patient {copy_id}: a discrepancy implicates statements of another patient: {references}")
        number, family = connection.execute(text("SELECT nhs_number, family FROM patients WHERE id = :p"), {"p": copy_id}).one()
        raw = connection.execute(text("SELECT raw FROM feed_messages WHERE patient_id = :p LIMIT 1"), {"p": copy_id}).scalar_one()
        if number != nhs_number(copy_id) or f'"{number}"' not in raw or f'"{family}"' not in raw:
            raise RuntimeError(f"patient {copy_id}: the stored message does not carry its own NHS number and name")
        keys = connection.execute(text("SELECT issue_key, resource_id FROM detected_issues WHERE patient_id = :p"), {"p": copy_id}).all()
        if any(resource_id != issue_resource_id(copy_id, key) for key, resource_id in keys):
            raise RuntimeError(f"patient {copy_id}: a DetectedIssue id is not the one medpass would give it")
        before = [connection.execute(text(count.format(table=t)), {"p": copy_id}).scalar_one() for t in ("detected_issues", "passports")]
    with sessions() as session:
        passport = make_passport(session, number, datetime.now(UTC), settings=RECONCILIATION)
    with engine.connect() as connection:
        after = [connection.execute(text(count.format(table=t)), {"p": copy_id}).scalar_one() for t in ("detected_issues", "passports")]
    if before != after or passport.version != 1:
        raise RuntimeError(f"patient {copy_id}: the service did not take the copied rows as its own ({before} -> {after} rows)")
