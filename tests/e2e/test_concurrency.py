"""Many systems at once against a live server: reads that reconcile and writes that ingest never fail for locking.

The API benchmark found concurrent $passport requests failing with "database is locked" on SQLite (a
deferred transaction that had read could not start writing after another connection committed); this holds
the fix (SQLite transactions of the app begin IMMEDIATE) on both databases.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.messages import bundle

Cli = Callable[..., subprocess.CompletedProcess[str]]
NHS = "https://fhir.nhs.uk/Id/nhs-number"
# valid 999-range NHS numbers (Modulus 11) for the writers' new patients
NEW_PATIENTS = ["9990000026", "9990000034", "9990000042", "9990000050", "9990000069", "9990000077", "9990000085", "9990000093"]


def test_concurrent_readers_and_writers_all_get_answers(live_server: str, flask_cli: Cli) -> None:
    assert flask_cli("load-samples").returncode == 0
    made = flask_cli("create-client", "--name", "Busy practice", "--ods", "ZZG02", "--feed", "gp",
                     "--scope", "system/*.rs", "--scope", "system/Bundle.c")
    headers = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}", "Content-Type": "application/fhir+json"}
    ids = [requests.get(f"{live_server}/fhir/Patient?name={name}", headers=headers, timeout=10).json()["entry"][0]["resource"]["id"]
           for name in ("Sampleton", "Example", "Dummy")]

    def work(worker: int) -> list[int]:
        statuses = []
        with requests.Session() as http:
            for round_ in range(6):
                patient = ids[(worker + round_) % len(ids)]
                for path in (f"/fhir/Patient/{patient}/$passport", f"/fhir/DetectedIssue?patient=Patient/{patient}",
                             f"/fhir/List?patient=Patient/{patient}"):
                    statuses.append(http.get(f"{live_server}{path}", headers=headers, timeout=60).status_code)
            message = bundle()
            message["entry"][0]["resource"]["identifier"][0]["value"] = NEW_PATIENTS[worker]
            statuses.append(http.post(f"{live_server}/fhir", data=json.dumps(message), headers=headers, timeout=60).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [s for found in pool.map(work, range(8)) for s in found]
    assert len(statuses) == 8 * 19 and set(statuses) <= {200, 201}, sorted(set(statuses))
