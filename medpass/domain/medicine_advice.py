"""Medicine-specific safety advice on the passport, each piece with its source (issue 9, point 3; DOMAIN.md §4-5).

Plain words for the patient. The sources are named beside each rule here and in docs/CLINICAL-SAFETY.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medpass.domain.dates import long_date, weekday_name
from medpass.domain.lines import Line

#: Medicines that are dangerous to stop or change suddenly, by class: "do not stop or change it until you have checked".
#: Sources: clozapine and antipsychotics — Clozaril SmPC 4.4 (abrupt withdrawal: rebound psychosis, cholinergic
#: rebound), NICE CG178 1.3.6 (withdraw antipsychotics gradually); lithium — NICE CG185 (stop gradually over at
#: least 4 weeks; abrupt stopping raises the risk of relapse); antiepileptics including valproate — NICE NG217 and
#: MHRA valproate guidance (do not stop without specialist advice: seizures, relapse); benzodiazepines — NICE CKS
#: "Benzodiazepine and z-drug withdrawal"; corticosteroids — National Patient Safety Alert NatPSA/2020/005/NHSPS
#: (Steroid Emergency Card: adrenal crisis); beta-blockers — propranolol and atenolol SmPCs 4.4 (abrupt withdrawal);
#: antidepressants — NICE NG222 1.9 (stopping antidepressants: reduce gradually).
DANGEROUS_TO_STOP_CLASSES = frozenset({"antipsychotic", "lithium", "valproate", "antiepileptic", "benzodiazepine", "corticosteroid",
                                       "beta-blocker", "ssri", "antidepressant", "clozapine"})
DANGEROUS_TO_STOP_SOURCE = ("Clozaril SmPC 4.4; NICE CG178; NICE CG185; NICE NG217; NICE CKS benzodiazepine withdrawal; "
                            "NatPSA/2020/005/NHSPS; beta-blocker SmPCs 4.4; NICE NG222")

#: Lithium toxicity: the signs patients are taught to act on (NPSA lithium therapy patient information booklet,
#: 2009; SPS "Lithium monitoring"); keep to one brand (Priadel SmPC 4.2: a change of preparation is new treatment).
LITHIUM_ADVICE = ("Get medical help straight away if you have diarrhoea or vomiting, a bad shake of your hands, unsteadiness, "
                  "slurred speech, or feel very sleepy or confused: these can be signs of too much lithium.",
                  "Keep to the same brand of lithium every time. Check the brand when you collect it and tell your pharmacist "
                  "if it looks different.")
LITHIUM_SOURCE = "NPSA lithium therapy patient information booklet (2009); SPS 'Lithium monitoring'; Priadel SmPC 4.2"

#: Clozapine: infection signs are reported at once (Clozaril SmPC 4.4, agranulocytosis); after more than 2 days
#: (48 hours) without it, treatment is restarted at a low dose by the team (Clozaril SmPC 4.2, re-starting therapy).
CLOZAPINE_ADVICE = ("If you get a sore throat, a high temperature, or any other sign of infection, tell your mental-health team "
                    "straight away: you may need a blood test.",
                    "If you miss your clozapine for more than 48 hours (2 days), do not start taking it again yourself. "
                    "Contact your mental-health team: it has to be restarted at a low dose.")
CLOZAPINE_SOURCE = "Clozaril SmPC 4.2 (re-starting after more than 2 days) and 4.4 (agranulocytosis: report infection at once)"

#: Valproate: women and girls who could become pregnant (medpass: female, 12-54 or age not known, as the
#: acknowledgement rule in domain/safety.py decides) — MHRA Drug Safety Update 31 January 2024; Valproate
#: Pregnancy Prevention Programme.
VALPROATE_ADVICE = ("Valproate can seriously harm an unborn baby. If you could become pregnant, use effective contraception, "
                    "and talk to your care team before you plan a pregnancy. Do not stop taking valproate unless your doctor tells you to.")
VALPROATE_SOURCE = "MHRA Drug Safety Update 31 Jan 2024; Valproate Pregnancy Prevention Programme"

#: Methotrexate is taken once a week, on one named day (NPSA/2006/13; MHRA Drug Safety Update September 2020:
#: once-weekly methotrexate, fatal overdoses from daily dosing).
METHOTREXATE_SOURCE = "NPSA/2006/13; MHRA Drug Safety Update September 2020 (once-weekly methotrexate)"
_DAY_CODES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def dangerous_to_stop(line: Line) -> bool:
    """True for medicines that must not be stopped or changed suddenly (DANGEROUS_TO_STOP_CLASSES)."""
    return bool(line.classes & DANGEROUS_TO_STOP_CLASSES) or "clozapine" in line.ingredients


@dataclass(frozen=True)
class AdviceInputs:
    """What the advice depends on beyond the medicine: the patient and the date."""

    gender: str | None
    age: int | None
    lithium_level_due: date | None
    today: date


def _methotrexate_day(line: Line) -> str:
    """'Take methotrexate once a week, on a Monday.' from timing.repeat.dayOfWeek, else say to check the day."""
    for member in line.members:
        for dosage in member.statement.entry.dosages:
            days = [_DAY_CODES[d] for d in dosage.day_of_week if d in _DAY_CODES]
            if len(days) == 1:
                return (f"Take methotrexate once a week only, on a {weekday_name(date(2024, 1, 1 + days[0]))}. "
                        "Never take it every day.")
    return ("Take methotrexate once a week only, on the same day each week. Never take it every day. "
            "Check the day with your pharmacist.")


def advice_for(line: Line, inputs: AdviceInputs) -> tuple[str, ...]:
    """The safety advice the passport gives for one current medicine."""
    found: list[str] = []
    if "lithium" in line.classes:
        found += LITHIUM_ADVICE
        due = inputs.lithium_level_due
        if due is not None and due < inputs.today:
            found.append(f"Your lithium blood test was due by {long_date(due)}. Ask your mental-health team or GP practice to "
                         "arrange it now.")
        elif due is not None:
            found.append(f"Your next lithium blood test is due by {long_date(due)}.")
    if "clozapine" in line.ingredients:
        found += CLOZAPINE_ADVICE
    if "valproate" in line.classes and inputs.gender == "female" and (inputs.age is None or 12 <= inputs.age <= 54):
        found.append(VALPROATE_ADVICE)
    if "methotrexate" in line.ingredients or "methotrexate" in line.classes or "methotrexate" in line.name.casefold():
        found.append(_methotrexate_day(line))
    return tuple(found)
