"""SMS dispatch throughput on PostgreSQL: N due messages sent through the real twilio client to a local
Twilio-shaped server, by one dispatcher and then by two at once; duplicates (must be 0) and peak memory.

    .venv/bin/python bench/sms_bench.py --messages 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

A throwaway database is created next to the one named and dropped afterwards. Each dispatcher is its own
process running `medpass.services.sms.dispatch` in passes of 200, as the scheduler does; the stub is a third
process. Each message's body carries its number, so the stub counts duplicates exactly.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, insert, select, text

from medpass.db.migrate import upgrade_database
from medpass.db.rows import PatientRow, SmsConsentRow, SmsContactRow, SmsOutboxRow
from medpass.db.session import make_engine, make_sessionmaker

ACCOUNT = "AC" + "0" * 32
SERVICE = "MG" + "1" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fill(url: str, messages: int) -> None:
    """A fresh schema with one consented synthetic patient and `messages` due messages."""
    engine = make_engine(url)
    upgrade_database(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        patients = PatientRow.__table__
        patient = connection.execute(insert(patients).values(nhs_number="9990000018", family="Benchmark", demographics_as_of=now,
                                                             created_at=now).returning(patients.c.id)).scalar_one()
        connection.execute(insert(SmsContactRow.__table__).values(patient_id=patient, phone="+447700900123", show_medicine_names=False,
                                                                  updated_at=now))
        connection.execute(insert(SmsConsentRow.__table__).values(patient_id=patient, change="opted-in", at=now, recorded_by="bench",
                                                                  how="benchmark"))
        for start in range(0, messages, 10_000):
            connection.execute(insert(SmsOutboxRow.__table__), [
                {"patient_id": patient, "idempotency_key": f"bench:{n}", "kind": "test", "body": f"Benchmark message {n}", "segments": 1,
                 "due_at": now, "valid_until": None, "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now}
                for n in range(start, min(start + 10_000, messages))])
    engine.dispose()


def dispatcher(url: str, stub: str, name: str) -> None:
    """Run passes until nothing is due; print sent count and peak RSS as JSON."""
    from medpass.services.sms import dispatch
    from medpass.sms.gateway import TwilioGateway, TwilioSettings

    sessions = make_sessionmaker(make_engine(url), immediate=True)
    gateway = TwilioGateway(TwilioSettings(ACCOUNT, "bench-token", messaging_service_sid=SERVICE, api_base_url=stub))
    sent, rss = 0, []
    with sessions() as session:
        while True:
            report = dispatch(session, gateway, datetime.now(UTC), worker=name, limit=200)
            sent += report.sent
            rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            if report.sent == 0 and report.retried == 0:
                break
    print(json.dumps({"sent": sent, "peak_rss_mb": round(max(rss), 1), "rss_first_pass_mb": round(rss[0], 1)}))


def run(url: str, messages: int, dispatchers: int) -> dict[str, float]:
    """Fill, start the stub and the dispatchers, time them, collect counts."""
    fill(url, messages)
    port, folder = _free_port(), tempfile.mkdtemp()
    report_file = Path(folder) / "stub.json"
    stub = subprocess.Popen([sys.executable, str(Path(__file__).with_name("twilio_stub.py")), str(port), str(report_file)])
    time.sleep(0.5)
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, __file__, "--dispatcher", url, f"http://127.0.0.1:{port}", f"d{n}"],
                                stdout=subprocess.PIPE, text=True) for n in range(dispatchers)]
    outputs = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    elapsed = time.perf_counter() - started
    stub.terminate()
    stub.wait(timeout=30)
    counts = json.loads(report_file.read_text())
    engine = create_engine(url)
    with engine.connect() as connection:
        outbox = SmsOutboxRow.__table__
        sent_rows = connection.execute(select(func.count()).select_from(outbox).where(outbox.c.status == "sent")).scalar_one()
    engine.dispose()
    return {"dispatchers": dispatchers, "messages": messages, "seconds": round(elapsed, 1), "per_second": round(messages / elapsed),
            "requests": counts["requests"], "duplicates": counts["requests"] - counts["unique_bodies"], "rows_sent": sent_rows,
            "peak_rss_mb": max(o["peak_rss_mb"] for o in outputs), "first_pass_rss_mb": max(o["rss_first_pass_mb"] for o in outputs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--dispatcher", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dispatcher:
        dispatcher(*args.dispatcher)
        return
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    results = []
    for dispatchers in (1, 2):
        name = f"medpass_smsbench_{int(time.time())}_{dispatchers}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
        try:
            results.append(run(url, args.messages, dispatchers))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print(json.dumps(results[-1]), flush=True)
    one, two = results
    ratio = two["per_second"] / one["per_second"]
    print(f"two dispatchers / one: {ratio:.2f}x (aim >= 1.6x); duplicates: {one['duplicates']}, {two['duplicates']}")


if __name__ == "__main__":
    main()
