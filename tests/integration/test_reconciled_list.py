"""The reconciled list: one line per medicine, the feeds side by side, pointing back at each feed's statement."""

from __future__ import annotations

from sqlalchemy.orm import Session

from medpass.domain.reconciled_list import reconciled_lines
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.build_reconciled import reconciled_list
from medpass.services.reconcile import reconcile_patient
from medpass.services.samples import load_samples
from tests.conftest import NOW, SAMPLES
from tests.fhir_schema import schema_errors


def test_each_medicine_is_one_line_with_every_feeds_version_and_the_agreed_one(session: Session) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None)
    found = reconcile_patient(session, "9991141707", NOW)
    lines = {line.name: line for line in reconciled_lines(found.result.lines, found.issues, "Testbed Lane Surgery")}
    assert set(lines) == {"Amlodipine", "Ferrous fumarate", "Naproxen", "Olanzapine", "Omeprazole"}
    naproxen = lines["Naproxen"]
    assert naproxen.versions  # every feed present as a key, listed or not
    assert {f.value: (v.statement.entry.status if v else None) for f, v in naproxen.versions.items()} == {
        "gp": "active", "mental-health": None, "acute": "stopped"}
    assert naproxen.open_issues and naproxen.last_change is not None
    assert (naproxen.last_change.what, naproxen.last_change.why) == ("stopped", "Gastrointestinal bleed")
    assert lines["Omeprazole"].prescriber == "the hospital" and lines["Olanzapine"].prescriber.startswith("your GP practice")


def test_the_reconciled_list_is_a_valid_fhir_list_derived_from_the_feed_statements(session: Session) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None)
    found = reconcile_patient(session, "9991141707", NOW)
    resource = reconciled_list(reconciled_lines(found.result.lines, found.issues, "Testbed"), found.patient.id, NOW)
    assert schema_errors(resource) == [] and all(schema_errors(c) == [] for c in resource["contained"])
    feed_references = set(found.statements)
    derived = {d["reference"] for c in resource["contained"] for d in c["derivedFrom"]}
    assert derived and derived <= feed_references
    assert [e["item"]["reference"] for e in resource["entry"]] == [f"#{c['id']}" for c in resource["contained"]]
