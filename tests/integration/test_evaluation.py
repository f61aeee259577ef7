"""The labelled evaluation set: every expected DetectedIssue found, nothing else; precision and recall per code."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.domain.tasks import DEMO_NETWORK
from medpass.services.reconcile import reconcile_patient
from medpass.services.samples import load_samples
from tests.conftest import NOW, ROOT, SAMPLES

EVALUATION = Path(__file__).resolve().parents[1] / "evaluation"
THRESHOLD = 0.95


def _labels() -> dict[str, dict[str, object]]:
    """The hand-labelled expectations (one file per patient in tests/evaluation/labels), by NHS number."""
    found: dict[str, dict[str, object]] = {}
    for path in sorted((EVALUATION / "labels").glob("*.json")):
        label = json.loads(path.read_text())
        assert label["nhs_number"] not in found, f"{path.name}: NHS number labelled twice"
        found[label["nhs_number"]] = label
    return found


Results = dict[str, tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]]


@pytest.fixture
def evaluated(session: Session) -> Results:
    """(expected, found) issue counts per patient after loading every sample and every own case."""
    for folder in (SAMPLES, EVALUATION / "cases"):
        assert all(o.rejection is None for o in load_samples(session, folder, now=lambda: NOW, max_bytes=5 << 20,
                                                             network=DEMO_NETWORK, public_base_url=None))
    results = {}
    for nhs_number, label in _labels().items():
        found = reconcile_patient(session, nhs_number, datetime(2026, 11, 25, tzinfo=UTC)).result.discrepancies
        expected = Counter((code, medicine) for code, medicine in label["expected"])  # type: ignore[attr-defined]
        results[nhs_number] = (expected, Counter((d.code.value, d.medicine) for d in found))
    return results


def test_every_labelled_case_exists() -> None:
    for label in _labels().values():
        assert (ROOT / str(label["case"])).is_dir(), label["case"]


def test_each_story_shows_up_as_the_right_issues_and_nothing_else(evaluated: Results) -> None:
    wrong = {n: {"missed": sorted((e - f).elements()), "extra": sorted((f - e).elements())}
             for n, (e, f) in evaluated.items() if e != f}
    assert wrong == {}


def test_precision_and_recall_are_at_least_095_for_every_code(evaluated: Results, capsys: pytest.CaptureFixture[str]) -> None:
    true_pos, false_pos, false_neg = Counter[str](), Counter[str](), Counter[str]()
    for expected, found in evaluated.values():
        for (code, _), n in (expected & found).items():
            true_pos[code] += n
        for (code, _), n in (found - expected).items():
            false_pos[code] += n
        for (code, _), n in (expected - found).items():
            false_neg[code] += n
    report, failing = [], []
    for code in DiscrepancyCode:
        tp, fp, fn = true_pos[code.value], false_pos[code.value], false_neg[code.value]
        if tp + fp + fn == 0:
            continue
        precision, recall = tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0
        report.append(f"{code.value:22} precision {precision:.2f} recall {recall:.2f} (tp {tp}, fp {fp}, fn {fn})")
        if precision < THRESHOLD or recall < THRESHOLD:
            failing.append(code.value)
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert failing == [] and len(report) >= 10
