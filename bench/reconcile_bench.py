"""Reconcile a patient's three feeds and render their passport, in process: median and p99, and growth.

    .venv/bin/python bench/reconcile_bench.py

Each feed lists N medicines (coded ones from the dictionary, then uncoded ones so every N makes N lines);
the feeds differ in dose, status and brand the way real feeds do. The growth table divides each time by the
time at N = 20: linear growth gives N/20, quadratic (N/20)².
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from medpass.config import DEFAULT_DEPOT_GRACE_DAYS
from medpass.domain.feeds import Feed
from medpass.domain.lines import FeedList, FeedStatement
from medpass.domain.medications import Dosage, MedicationEntry
from medpass.domain.medicines import Coding, Medicine
from medpass.domain.passport import PassportInputs, build_passport
from medpass.domain.reconciliation import ReconciliationSettings, reconcile
from medpass.reference.dictionary import medicines_dictionary
from medpass.render.passport_html import passport_html

TIMES = {Feed.GP: datetime(2026, 3, 1, tzinfo=UTC), Feed.MENTAL_HEALTH: datetime(2026, 3, 5, tzinfo=UTC),
         Feed.ACUTE: datetime(2026, 3, 10, tzinfo=UTC)}


RECONCILIATION = ReconciliationSettings(DEFAULT_DEPOT_GRACE_DAYS)


def feed_lists(n: int) -> list[FeedList]:
    """Three feeds of n medicines each, mostly agreeing, with a difference in every fifth medicine."""
    dictionary = medicines_dictionary()
    vmps = [p for p in dictionary.products if p.concept_class == "VMP" and p.strength_mg is not None]
    lists = []
    for feed in Feed:
        statements = []
        for i in range(n):
            if i < len(vmps):
                product = vmps[i]
                medicine = Medicine(codings=(Coding("https://dmd.nhs.uk", product.dmd_id, product.name),))
                strength = product.strength_mg or Decimal(1)
            else:
                medicine, strength = Medicine(text=f"Benchmark medicine {i} 10mg tablets"), Decimal(10)
            times = 2 if (i % 5 == 0 and feed is Feed.ACUTE) else 1
            status = "stopped" if (i % 7 == 0 and feed is Feed.ACUTE) else "active"
            dosage = Dosage(text=f"{strength}mg {times} times a day", dose_value=strength, dose_unit="mg", frequency=times,
                            period=Decimal(1), period_unit="d")
            entry = MedicationEntry("MedicationStatement", None, status, status, medicine, (dosage,),
                                    status_reason="Stopped in hospital" if status == "stopped" else None, effective_start="2025-01-01")
            statements.append(FeedStatement(f"MedicationStatement/{feed.value}-{i}", feed, entry, TIMES[feed]))
        lists.append(FeedList(feed, TIMES[feed], True, tuple(statements), is_discharge=feed is Feed.ACUTE))
    return lists


def timed(repeats: int, action: object) -> list[float]:
    """Milliseconds for each of `repeats` calls."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    """Print median and p99 at 3 × 20, then the growth table."""
    dictionary = medicines_dictionary()
    today = date(2026, 11, 25)
    rows = []
    for n in (20, 50, 100, 200):
        lists = feed_lists(n)
        result = reconcile(lists, dictionary, "1970-01-01", today, allergies=(), settings=RECONCILIATION)
        inputs = PassportInputs("9990000018", "Bench PATIENT", "1970-01-01", "Bench Surgery", tuple(lists), result.lines, (), (), False)
        repeats = 300 if n <= 50 else 60
        reconcile_ms = timed(repeats, lambda lists=lists: reconcile(lists, dictionary, "1970-01-01", today, allergies=(),
                                                                    settings=RECONCILIATION))
        passport_ms = timed(repeats, lambda inputs=inputs: passport_html(build_passport(inputs, datetime.now(UTC), None, 1)))
        rows.append((n, statistics.median(reconcile_ms), sorted(reconcile_ms)[int(len(reconcile_ms) * 0.99) - 1],
                     statistics.median(passport_ms), sorted(passport_ms)[int(len(passport_ms) * 0.99) - 1], len(result.discrepancies)))
    base_reconcile, base_passport = rows[0][1], rows[0][3]
    print("medicines per feed | reconcile median / p99 ms | passport (model + HTML) median / p99 ms | discrepancies | "
          "growth vs 20 (reconcile, passport; linear = N/20)")
    for n, rm, rp, pm, pp, issues in rows:
        print(f"{n:>4} | {rm:7.2f} / {rp:7.2f} | {pm:7.2f} / {pp:7.2f} | {issues:4} | "
              f"{rm / base_reconcile:5.1f}x, {pm / base_passport:5.1f}x (linear {n / 20:.1f}x, quadratic {(n / 20) ** 2:.0f}x)")


if __name__ == "__main__":
    main()
