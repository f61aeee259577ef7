"""FHIR API under gunicorn: throughput and p50/p99 of $passport and a MedicationStatement search beside the ceiling.

    apt-get install wrk                          # the load generator (a Debian package)
    .venv/bin/python bench/api_bench.py --patients 10000
    .venv/bin/python bench/api_bench.py --patients 1000 10000 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/DB

The server is gunicorn with the repository's gunicorn.conf.py (2 sync workers) on loopback, serving the real
app plus `/bench-bare/<name>` (bench/api_bare_wsgi.py): the same bytes as a real `$passport` or search
response, from memory, through the same Flask, gunicorn and configuration (the stack's ceiling). wrk plays
20 concurrent clients (keep-alive offered; gunicorn's sync workers close each connection), each request for
a random patient of the store. The ceiling and the targets run in interleaved chunks of a few seconds, in a
rotating order, so that drift in this 2-core machine's speed affects them alike: the ratios are the result.

The store (bench/api_store.py): the first --seed patients are ingested through the service, the rest are SQL
copies of them. Without --postgres the store is a SQLite file; with it, a new schema in that database, dropped
at the end unless --keep. Several --patients sizes grow one store and measure each size in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bench import api_store
from medpass.db.migrate import upgrade_database
from medpass.db.session import make_engine, make_sessionmaker
from medpass.services.clients import create_client

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("bare-passport", "passport", "bare-search", "search")
CEILING = {"passport": "bare-passport", "search": "bare-search"}
LABELS = {"bare-passport": "bare, $passport's bytes", "passport": "GET /fhir/Patient/{id}/$passport",
          "bare-search": "bare, the search's bytes", "search": "GET /fhir/MedicationStatement?patient=Patient/{id}"}
AIMS = {"passport": 0.30, "search": 0.50}
P99_AIM_MS = 50.0
#: gunicorn.conf.py's access_log_format: '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'.
ACCESS_LINE = re.compile(r'^\S+ "(?P<method>\S+) (?P<path>\S+)" (?P<status>\d{3}) \S+ \S+s$')


@dataclass
class Chunk:
    """One wrk run against one target."""

    requests: int
    seconds: float
    errors: list[int]
    quantiles: list[int]  # microseconds at every 0.1 percentile, then the maximum
    client_cpu: float


@dataclass
class Target:
    """Every chunk run against one target, merged."""

    name: str
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.chunks)

    @property
    def rate(self) -> float:
        """Requests per second over all chunks."""
        return self.requests / sum(c.seconds for c in self.chunks)

    def percentile(self, p: float) -> float:
        """Latency in ms at percentile p of all chunks: each chunk's quantiles weighted by its request count."""
        points = sorted((q, c.requests / len(c.quantiles)) for c in self.chunks for q in c.quantiles)
        wanted, seen = p / 100 * sum(w for _, w in points), 0.0
        for value, weight in points:
            seen += weight
            if seen >= wanted - 1e-9:
                return value / 1000
        return points[-1][0] / 1000

    @property
    def errors(self) -> int:
        """Answers other than 2xx/3xx, and socket errors (connect, read, write, timeout)."""
        return sum(sum(c.errors) for c in self.chunks)


_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: pid -> (parent pid, CPU seconds used so far, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS, command)
    return found


def _machine_busy() -> float:
    """CPU seconds all cores have spent in user and system mode since boot (interrupts left out)."""
    user, nice, system = (int(v) for v in Path("/proc/stat").read_text().split()[1:4])
    return (user + nice + system) / _TICKS


@dataclass
class Snapshot:
    """The machine's CPU time and every process's, at one moment."""

    busy: float = field(default_factory=_machine_busy)
    processes: dict[int, tuple[int, float, str]] = field(default_factory=_processes)


def other_cpu(before: Snapshot, after: Snapshot, database: str, client_cpu: float) -> float:
    """CPU seconds used between two snapshots by work that is not this benchmark's.

    The machine's busy time less ours: this process and its descendants (gunicorn; wrk, whose runs ended and
    are counted by `client_cpu`), and PostgreSQL processes of our database (their title names it). What is
    left is someone else's work, short-lived processes included, such as a test suite run meanwhile.
    """
    ours = {os.getpid()}
    grew = True
    while grew:
        size = len(ours)
        ours |= {pid for pid, (parent, _, _) in after.processes.items() if parent in ours}
        grew = len(ours) > size
    used = client_cpu
    for pid, (_, cpu, command) in after.processes.items():
        if pid in ours or (database and command.startswith("postgres: ") and f" {database} " in command):
            used += cpu - before.processes[pid][1] if pid in before.processes else cpu
    return max(0.0, after.busy - before.busy - used)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn with the repository's configuration serving bench/api_bare_wsgi.py."""

    def __init__(self, url: str, workers: int, folder: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "gunicorn.log"
        env = {**os.environ, "DATABASE_URL": url, "MEDPASS_BIND": f"127.0.0.1:{self.port}", "MEDPASS_WORKERS": str(workers),
               "MEDPASS_INSTANCE_PATH": str(folder), "MEDPASS_BENCH_BARE_DIR": str(folder),
               "MEDPASS_RATE_LIMIT_PER_MINUTE": "0"}  # one token plays 20 clients: the per-client limit would answer 429
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "bench.api_bare_wsgi:app"],
                                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/fhir/metadata", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {self.log}")
            time.sleep(0.3)

    def get(self, path: str, token: str) -> bytes:
        """One request, as a client would make it; raises unless 200."""
        request = urllib.request.Request(f"{self.base}{path}", headers={"Authorization": f"Bearer {token}",
                                                                         "Accept": "application/fhir+json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return bytes(answer.read())

    def stop(self) -> None:
        """Graceful stop, as systemd would."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def run_wrk(server: Server, target: str, seconds: int, connections: int, patients: int, token: str, seed: int, out: Path) -> Chunk:
    """One wrk run: `connections` clients for `seconds` against `target`."""
    env = {**os.environ, "BENCH_TARGET": target, "BENCH_PATIENTS": str(patients), "BENCH_TOKEN": token,
           "BENCH_SEED": str(seed), "BENCH_OUT": str(out)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(ROOT / "bench" / "api_load.lua"),
                    server.base], env=env, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = out.read_text().splitlines()
    fields = {line.split()[0]: line.split()[1:] for line in lines if not line.startswith("q ")}
    quantiles = [int(line.split()[1]) for line in lines if line.startswith("q ")] + [int(fields["max"][0])]
    return Chunk(requests=int(fields["requests"][0]), seconds=int(fields["duration_us"][0]) / 1e6,
                 errors=[int(e) for e in fields["errors"]], quantiles=quantiles,
                 client_cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))


def capture(server: Server, token: str, patient: int, folder: Path) -> dict[str, int]:
    """Save a real $passport and a real search response for the bare routes; check they are what they should be."""
    passport = server.get(f"/fhir/Patient/{patient}/$passport", token)
    search = server.get(f"/fhir/MedicationStatement?patient=Patient/{patient}", token)
    document, searchset = json.loads(passport), json.loads(search)
    if document.get("type") != "document" or searchset.get("type") != "searchset" or not searchset.get("total"):
        raise RuntimeError(f"unexpected responses for patient {patient}: {document.get('type')}, {searchset.get('type')}")
    (folder / "passport.json").write_bytes(passport)
    (folder / "search.json").write_bytes(search)
    for name, body in (("passport", passport), ("search", search)):
        if server.get(f"/bench-bare/{name}", token) != body:
            raise RuntimeError(f"the bare route does not answer the saved {name} bytes")
    return {"passport": len(passport), "search": len(search), "statements": int(searchset["total"])}


def problems(log: Path) -> None:
    """Print what the server answered other than 200, with the first lines it logged about it."""
    statuses: Counter[str] = Counter()
    other: list[str] = []
    for line in log.read_text(errors="replace").splitlines():
        access = ACCESS_LINE.match(line)
        if access:
            if access["status"] != "200":
                statuses[f"{access['status']} {access['path'].split('/')[2] if access['path'].count('/') > 1 else access['path']}"] += 1
        elif "[INFO]" not in line:
            other.append(line)
    if statuses:
        print(f"  answers other than 200 (warm-up and capture included): {dict(statuses)}")
    if other:
        print("  the server logged:\n    " + "\n    ".join(other[:30]))


def audit_rows(engine: Engine) -> int:
    """How many AuditEvents the store holds."""
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one())


def measure(engine: Engine, url: str, args: argparse.Namespace, patients: int, token: str, folder: Path) -> dict[str, Target]:
    """Serve the store and run every target in interleaved chunks; return them merged.

    A round during which other processes used more than --max-other-cpu of a core is discarded and run again.
    """
    database_name = make_url(url).database if url.startswith("postgresql") else ""
    server = Server(url, args.workers, folder)
    try:
        sizes = capture(server, token, patients // 2 + 1, folder)
        print(f"  responses: $passport {sizes['passport']:,} bytes, search {sizes['search']:,} bytes "
              f"({sizes['statements']} statements)")
        scratch = folder / "wrk.out"
        for target in TARGETS:  # warm both workers' caches and connection pools; not counted
            run_wrk(server, target, args.warmup, args.connections, patients, token, 0, scratch)
        audited = audit_rows(engine)
        results = {name: Target(name) for name in TARGETS}
        kept, tries, give_up = 0, 0, time.monotonic() + args.patience
        while kept < args.rounds:
            tries += 1
            if time.monotonic() > give_up:
                raise RuntimeError(f"the machine stayed busy with other work: {tries - 1 - kept} rounds were disturbed")
            order = TARGETS[tries % len(TARGETS):] + TARGETS[:tries % len(TARGETS)]
            before = Snapshot()
            chunks = {target: run_wrk(server, target, args.seconds, args.connections, patients, token, tries, scratch)
                      for target in order}
            wall = sum(c.seconds for c in chunks.values())
            other = other_cpu(before, Snapshot(), database_name, sum(c.client_cpu for c in chunks.values())) / wall
            rates = "  ".join(f"{t} {chunks[t].requests / chunks[t].seconds:,.0f}/s" for t in TARGETS)
            if other > args.max_other_cpu:
                print(f"  round discarded: other processes used {other:.0%} of a core ({rates})")
                continue
            kept += 1
            for target, chunk in chunks.items():
                results[target].chunks.append(chunk)
            print(f"  round {kept}/{args.rounds}: {rates} (other processes: {other:.0%} of a core)")
    finally:
        server.stop()
    problems(server.log)
    served = sum(results[t].requests for t in CEILING)
    written = audit_rows(engine) - audited
    if written < served:  # wrk counts answers it read; a request cut off at the end may still be recorded
        raise RuntimeError(f"{served} /fhir requests answered but only {written} AuditEvents written")
    return results


def report(patients: int, database: str, results: dict[str, Target]) -> list[str]:
    """Table rows (markdown) for one store size."""
    rows = []
    for name in TARGETS:
        target = results[name]
        ceiling = results.get(CEILING.get(name, name))
        assert ceiling is not None
        share = target.rate / ceiling.rate
        per_round = [t.requests / t.seconds / (c.requests / c.seconds) for t, c in zip(target.chunks, ceiling.chunks, strict=True)]
        spread = f"{min(per_round):.0%}–{max(per_round):.0%}" if name in CEILING else ""
        aim = ""
        if name in CEILING:
            met = share >= AIMS[name] and target.percentile(99) < P99_AIM_MS and not target.errors
            aim = f"{'met' if met else 'missed'} (≥ {AIMS[name]:.0%}, p99 < {P99_AIM_MS:.0f} ms)"
        rows.append(f"| {database} | {patients:,} | {LABELS[name]} | {target.rate:,.0f} | {share:.0%} | {spread} | "
                    f"{target.percentile(50):.1f} | {target.percentile(99):.1f} | {target.percentile(100):.0f} | "
                    f"{target.errors:,} ({target.errors / target.requests:.0%}) | {aim} |")
    return rows


def fresh_postgres_schema(url: str, name: str) -> str:
    """A schema for this run on the given PostgreSQL (made if missing), as a URL with its search_path."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
    engine.dispose()
    return make_url(url).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)


def drop_postgres_schema(url: str, name: str) -> None:
    """Drop this run's schema."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def main() -> None:
    """Build or grow the store to each size, measure it, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--patients", type=int, nargs="+", default=[10_000], help="store sizes, measured in turn (default 10000)")
    parser.add_argument("--postgres", help="a PostgreSQL URL (postgresql+psycopg://...): measure there instead of SQLite")
    parser.add_argument("--schema", help="PostgreSQL schema to use (default: a new bench_api_<time>); reused if it exists")
    parser.add_argument("--sqlite", type=Path, help="SQLite file to use (default: a temporary one); reused if it exists")
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards")
    parser.add_argument("--seed", type=int, default=1000, help="patients ingested through the service; the rest are copies")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds of every target (default 6)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds of each chunk (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target before timing (default 2)")
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--max-other-cpu", type=float, default=0.15,
                        help="discard a round in which other processes used more than this share of a core (default 0.15)")
    parser.add_argument("--patience", type=int, default=1200,
                        help="seconds of rounds (kept or discarded) after which to give up on a busy machine (default 1200)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress shows as it happens, even in a file
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    if args.keep and not (args.postgres or args.sqlite):
        sys.exit("--keep needs --sqlite PATH (or --postgres): the default SQLite file is temporary")
    sizes = sorted(args.patients)
    seed = min(args.seed, sizes[0])
    with tempfile.TemporaryDirectory(prefix="medpass-api-bench-") as scratch:
        folder = Path(scratch)
        schema = args.schema or f"bench_api_{int(time.time())}"
        if args.postgres:
            url, database = fresh_postgres_schema(args.postgres, schema), "PostgreSQL"
        else:
            path = (args.sqlite or folder / "bench.db").resolve()
            url, database = f"sqlite:///{path}", "SQLite"
        engine = make_engine(url)
        api_store.register_sqlite_functions(engine)
        upgrade_database(engine)
        sessions = make_sessionmaker(engine)
        rows: list[str] = []
        figures: list[dict[str, object]] = []
        try:
            if api_store.patient_count(engine) == 0:
                print(f"{database}: ingesting {seed:,} patients x 3 feeds through the service ...")
                print(f"  {api_store.ingest_seed(engine, sessions, seed):.0f} s")
            with sessions() as session:
                _, token = create_client(session, name="Bench", ods_code="A12345", feed=None, scopes=["system/*.rs"],
                                         now=datetime.now(UTC))
            for patients in sizes:
                if api_store.patient_count(engine) < patients:
                    print(f"{database}: copying seed patients up to {patients:,} ...")
                    print(f"  {api_store.grow(engine, seed, patients):.0f} s")
                    api_store.check_copy(engine, sessions, seed)
                elif api_store.patient_count(engine) > patients:
                    sys.exit(f"the store holds {api_store.patient_count(engine):,} patients, more than {patients:,}")
                print(f"{database}, {patients:,} patients: {args.rounds} rounds x {len(TARGETS)} targets x {args.seconds} s, "
                      f"{args.connections} clients, {args.workers} workers")
                results = measure(engine, url, args, patients, token, folder)
                client_cpu = sum(c.client_cpu for t in results.values() for c in t.chunks)
                wall = sum(c.seconds for t in results.values() for c in t.chunks)
                print(f"  wrk used {client_cpu / wall:.0%} of one core on average")
                rows.extend(report(patients, database, results))
                figures.append({"database": database, "patients": patients, "wrk_core_share": client_cpu / wall, "targets": {
                    name: {"rate": t.rate, "p50_ms": t.percentile(50), "p99_ms": t.percentile(99), "max_ms": t.percentile(100),
                           "requests": t.requests, "errors": t.errors,
                           "per_round": [{"rate": c.requests / c.seconds, "p50_ms": Target(name, [c]).percentile(50),
                                          "p99_ms": Target(name, [c]).percentile(99)} for c in t.chunks]}
                    for name, t in results.items()}})
        finally:
            engine.dispose()
            if args.postgres and not args.keep:
                drop_postgres_schema(args.postgres, schema)
            elif args.keep:
                print(f"store kept: {url}")
    print()
    print("| database | patients | endpoint | answers/s | share of its ceiling | per round | p50 ms | p99 ms | max ms | failed | aim |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
