"""Reading the parts of a FHIR Dosage that real regimens need: steps (sequence, bounds) and when-required maximums."""

from __future__ import annotations

from decimal import Decimal

from medpass.domain.feeds import Feed
from medpass.domain.medications import Dosage
from medpass.domain.medicines import Coding
from medpass.fhir.read_message import read_feed_message
from tests.messages import bundle, encode, statement

UCUM = "http://unitsofmeasure.org"
ORAL = {"coding": [{"system": "http://snomed.info/sct", "code": "26643006", "display": "Oral"}]}


def _dosages(*raw: dict[str, object]) -> tuple[Dosage, ...]:
    """The dosages medpass reads from the small message's statement carrying `raw`."""
    message = bundle()
    statement(message)["dosage"] = list(raw)
    return read_feed_message(encode(message), Feed.ACUTE, 5 << 20)[0].medications[0].dosages


def test_reads_each_step_of_a_taper_with_its_sequence_and_bounds() -> None:
    week = {"value": 7, "unit": "days", "system": UCUM, "code": "d"}
    first = {"sequence": 1, "text": "40mg each morning for 7 days",
             "timing": {"repeat": {"boundsDuration": week, "frequency": 1, "period": 1, "periodUnit": "d"}},
             "doseAndRate": [{"doseQuantity": {"value": 40, "unit": "mg", "system": UCUM, "code": "mg"}}]}
    then = {"sequence": 2, "text": "20mg each morning from 17 November",
            "timing": {"repeat": {"boundsPeriod": {"start": "2026-11-17", "end": "2026-11-30"}, "when": ["MORN"]}}}
    assert _dosages(first, then) == (
        Dosage(text="40mg each morning for 7 days", frequency=1, period=Decimal(1), period_unit="d", dose_value=Decimal(40),
               dose_unit="mg", sequence=1, bounds_duration=Decimal(7), bounds_duration_unit="d"),
        Dosage(text="20mg each morning from 17 November", when=("MORN",), sequence=2, bounds_start="2026-11-17", bounds_end="2026-11-30"),
    )


def test_reads_the_most_a_when_required_dosage_allows() -> None:
    prn = {"text": "1g up to four times a day when required, maximum 4g in 24 hours", "asNeededBoolean": True, "route": ORAL,
           "timing": {"repeat": {"frequency": 1, "frequencyMax": 4, "period": 1, "periodUnit": "d"}},
           "maxDosePerPeriod": {"numerator": {"value": 4, "unit": "gram", "system": UCUM, "code": "g"},
                                "denominator": {"value": 24, "unit": "hours", "system": UCUM, "code": "h"}}}
    assert _dosages(prn) == (
        Dosage(text="1g up to four times a day when required, maximum 4g in 24 hours", frequency=1, frequency_max=4, period=Decimal(1),
               period_unit="d", as_needed=True, route=Coding("http://snomed.info/sct", "26643006", "Oral"), max_dose_value=Decimal(4),
               max_dose_unit="g", max_dose_period=Decimal(24), max_dose_period_unit="h"),
    )


def test_a_plain_dosage_has_no_steps_and_no_maximum() -> None:
    assert _dosages({"text": "One tablet each morning"}) == (Dosage(text="One tablet each morning"),)
