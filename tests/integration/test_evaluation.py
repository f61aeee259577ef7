"""The labelled evaluation set: every expected DetectedIssue found and nothing else, and every medicine in the FHIR
passport section its label says; precision and recall per code and per passport section (agreed state)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.tasks import DEMO_NETWORK
from medpass.fhir.build_passport import passport_document
from medpass.services.passport import make_passport
from medpass.services.reconcile import reconcile_patient
from medpass.services.samples import load_samples
from tests.conftest import NOW, RECONCILIATION, ROOT, SAMPLES

EVALUATION = Path(__file__).resolve().parents[1] / "evaluation"
THRESHOLD = 1.0
#: FHIR passport section codes (LOINC 10160-0 for current medicines, medpass's passport-section for the others).
SECTION_OF_CODE = {"10160-0": "current", "check-with-care-team": "check", "paused": "paused", "stopped": "stopped",
                   "course-finished": "finished"}


def _labels() -> dict[str, dict[str, Any]]:
    """The hand-labelled expectations (one file per patient in tests/evaluation/labels), by NHS number."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((EVALUATION / "labels").glob("*.json")):
        label = json.loads(path.read_text())
        assert label["nhs_number"] not in found, f"{path.name}: NHS number labelled twice"
        found[label["nhs_number"]] = label
    return found


@dataclass(frozen=True)
class Evaluated:
    """Expected and found, per patient: (code, medicine) issues and (section, medicine) passport places."""

    issues: dict[str, tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]]
    places: dict[str, tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]]


def passport_places(document: dict[str, Any], line_of: dict[str, str]) -> Counter[tuple[str, str]]:
    """(section, line) for every MedicationStatement the FHIR passport's sections hold, traced back to its line."""
    by_url = {e["fullUrl"]: e["resource"] for e in document["entry"]}
    places: Counter[tuple[str, str]] = Counter()
    for section in document["entry"][0]["resource"]["section"]:
        codes = [c["code"] for c in section.get("code", {}).get("coding", [])]
        name = next((SECTION_OF_CODE[c] for c in codes if c in SECTION_OF_CODE), None)
        for reference in section.get("entry", []):
            resource = by_url[reference["reference"]]
            if resource["resourceType"] == "MedicationStatement":
                assert name is not None, f"a medicine in the section {section['title']!r}"
                source = resource["derivedFrom"][0]["reference"]
                places[(name, line_of[source])] += 1
    return places


@pytest.fixture
def evaluated(session: Session) -> Evaluated:
    """Every sample and own case loaded through real ingest, then reconciled and passported on 25 November 2026."""
    for folder in (SAMPLES, EVALUATION / "cases"):
        assert all(o.rejection is None for o in load_samples(session, folder, now=lambda: NOW, max_bytes=5 << 20,
                                                             network=DEMO_NETWORK, public_base_url=None, settings=RECONCILIATION))
    issues, places = {}, {}
    for nhs_number, label in _labels().items():
        found = reconcile_patient(session, nhs_number, NOW, RECONCILIATION)
        expected = Counter((code, medicine) for code, medicine in label["expected"])
        issues[nhs_number] = (expected, Counter((d.code.value, d.medicine) for d in found.result.discrepancies))
        line_of = {m.statement.reference: line.name for line in found.result.lines for m in line.members}
        document = passport_document(make_passport(session, nhs_number, NOW, RECONCILIATION))
        wanted = Counter((section, medicine) for section, medicines in label["passport"].items() for medicine in medicines)
        places[nhs_number] = (wanted, passport_places(document, line_of))
    return Evaluated(issues, places)


def test_every_labelled_case_exists_and_labels_every_passport_section() -> None:
    for label in _labels().values():
        assert (ROOT / str(label["case"])).is_dir(), label["case"]
        assert sorted(label["passport"]) == sorted(SECTION_OF_CODE.values()), label["case"]


def test_each_story_shows_up_as_the_right_issues_and_nothing_else(evaluated: Evaluated) -> None:
    assert _wrong(evaluated.issues) == {}


def test_each_medicine_is_in_the_passport_section_its_label_says_and_nowhere_else(evaluated: Evaluated) -> None:
    assert _wrong(evaluated.places) == {}


def test_precision_and_recall_are_one_for_every_code_and_every_passport_section(
        evaluated: Evaluated, capsys: pytest.CaptureFixture[str]) -> None:
    codes, failing_codes = _scores(evaluated.issues.values(), [c.value for c in DiscrepancyCode])
    sections, failing_sections = _scores(evaluated.places.values(), list(SECTION_OF_CODE.values()))
    with capsys.disabled():
        print("\nper discrepancy code:\n" + "\n".join(codes) + "\nper passport section (agreed state):\n" + "\n".join(sections))
    assert (failing_codes, failing_sections) == ([], []) and len(codes) >= 12 and len(sections) == 5


def _wrong(results: dict[str, tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """What each patient missed and what was extra."""
    return {n: {"missed": sorted((e - f).elements()), "extra": sorted((f - e).elements())} for n, (e, f) in results.items() if e != f}


def _scores(results: Iterable[tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]], names: list[str]) -> tuple[list[str], list[str]]:
    """A report line per name (precision, recall, counts) and the names under the threshold."""
    true_pos, false_pos, false_neg = Counter[str](), Counter[str](), Counter[str]()
    for expected, found in results:
        for (name, _), n in (expected & found).items():
            true_pos[name] += n
        for (name, _), n in (found - expected).items():
            false_pos[name] += n
        for (name, _), n in (expected - found).items():
            false_neg[name] += n
    report, failing = [], []
    for name in names:
        tp, fp, fn = true_pos[name], false_pos[name], false_neg[name]
        if tp + fp + fn == 0:
            continue
        precision, recall = tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0
        report.append(f"{name:22} precision {precision:.2f} recall {recall:.2f} (tp {tp}, fp {fp}, fn {fn})")
        if precision < THRESHOLD or recall < THRESHOLD:
            failing.append(name)
    return report, failing
