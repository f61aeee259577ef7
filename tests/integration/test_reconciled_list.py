"""The reconciled list: one line per medicine, the feeds side by side, what is agreed now, pointing back at each feed's statement."""

from __future__ import annotations

from sqlalchemy.orm import Session

from medpass.domain.reconciled_list import reconciled_lines
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.build_reconciled import reconciled_list
from medpass.services.reconcile import reconcile_patient
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, SAMPLES
from tests.fhir_schema import schema_errors

NAPROXEN_PATIENT = "9991141707"


def test_each_medicine_is_one_line_with_every_feeds_version_and_what_is_agreed_now(session: Session) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    found = reconcile_patient(session, NAPROXEN_PATIENT, NOW, RECONCILIATION)
    lines = {line.name: line for line in reconciled_lines(found.agreements, "Testbed Lane Surgery")}
    assert {name: (line.state.value, line.agreed_now, line.prescriber, line.monitor) for name, line in lines.items()} == {
        "Amlodipine": ("agreed", "Agreed: Amlodipine 5mg tablets: One tablet each morning", "GP practice (Testbed Lane Surgery)", None),
        "Ferrous fumarate": ("changed", "Started on 6 February 2026 by the acute hospital (Iron-deficiency anaemia after gastrointestinal "
                             "bleed): Ferrous fumarate 210mg tablets: One tablet twice a day", "acute hospital", None),
        "Naproxen": ("not-agreed", "Not agreed: GP practice: Naproxen 500mg tablets, One tablet twice a day with food (list of 18 "
                     "February 2026); acute hospital: stopped 2 February 2026: Gastrointestinal bleed",
                     "GP practice (Testbed Lane Surgery)", None),
        "Olanzapine": ("agreed", "Agreed: Olanzapine 10mg tablets: One tablet at night", "GP practice (Testbed Lane Surgery)",
                       "mental-health trust"),
        "Omeprazole": ("changed", "Started on 2 February 2026 by the acute hospital (Bleeding duodenal ulcer): Omeprazole 20mg "
                       "gastro-resistant capsules: Two capsules (40mg) once a day before breakfast", "acute hospital", None),
    }
    naproxen = lines["Naproxen"]
    assert {f.value: (v.statement.entry.status if v else None) for f, v in naproxen.versions.items()} == {
        "gp": "active", "mental-health": None, "acute": "stopped"}
    assert naproxen.last_change is not None and (naproxen.last_change.what, naproxen.last_change.when, naproxen.last_change.why) == (
        "stopped", "2 February 2026", "Gastrointestinal bleed")
    assert len(naproxen.open_issues) == 1


def test_the_reconciled_list_is_a_valid_fhir_list_flagged_with_each_agreed_state(session: Session) -> None:
    load_samples(session, SAMPLES, now=lambda: NOW, max_bytes=5 << 20, network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION)
    found = reconcile_patient(session, NAPROXEN_PATIENT, NOW, RECONCILIATION)
    resource = reconciled_list(reconciled_lines(found.agreements, "Testbed"), found.patient.id, NOW)
    assert schema_errors(resource) == [] and all(schema_errors(c) == [] for c in resource["contained"])
    derived = {d["reference"] for c in resource["contained"] for d in c["derivedFrom"]}
    assert derived and derived <= set(found.statements)
    assert [e["item"]["reference"] for e in resource["entry"]] == [f"#{c['id']}" for c in resource["contained"]]
    assert [(e["flag"]["coding"][0]["code"], c["status"]) for e, c in zip(resource["entry"], resource["contained"], strict=True)] == [
        ("agreed", "active"), ("changed", "active"), ("not-agreed", "unknown"), ("agreed", "active"), ("changed", "active")]
