"""Make a patient's medication passport from the reconciled feeds, and keep each version with its date."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from medpass.db import feed_views, repository
from medpass.db.rows import PassportRow
from medpass.domain.dates import long_date
from medpass.domain.dictionary import normalise_name
from medpass.domain.feeds import Feed
from medpass.domain.medicine_advice import AdviceInputs
from medpass.domain.passport import AllergyStatement, Passport, PassportAllergy, PassportInputs, build_passport
from medpass.domain.patient_voice import who
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.safety import age_on, lithium_level_due
from medpass.services.reconcile import reconcile_patient

#: What makes two passports different for the patient (not when they were made).
_COMPARED = ("medicines", "check", "paused", "stopped", "finished", "allergies", "allergy_statements", "changes", "monitoring",
             "not_known")


def _allergies(session: Session, patient_id: int) -> tuple[tuple[PassportAllergy, ...], tuple[AllergyStatement, ...]]:
    """Allergies in force from every feed's current message, one per substance; "no known allergy" records as statements."""
    found: dict[str, PassportAllergy] = {}
    statements: dict[tuple[int, str], AllergyStatement] = {}
    for recorded in feed_views.current_allergies(session, patient_id):
        allergy = recorded.allergy
        if not allergy.in_force:
            continue
        if allergy.is_no_known_statement:
            none_known = allergy.no_known_words
            statements.setdefault((list(Feed).index(recorded.feed), none_known),
                                  AllergyStatement(none_known, who(recorded.feed), long_date(allergy.recorded_date)))
            continue
        name = allergy.substance.name
        found.setdefault(normalise_name(name), PassportAllergy(name, ", ".join(allergy.reactions) or "reaction not recorded"))
    return tuple(found.values()), tuple(statement for _, statement in sorted(statements.items()))


def _digest(content: dict[str, Any]) -> str:
    """A hash of what the patient would see as different."""
    return hashlib.sha256(json.dumps({k: content[k] for k in _COMPARED}, sort_keys=True, default=str).encode()).hexdigest()


def make_passport(session: Session, nhs_number: str, now: datetime, settings: ReconciliationSettings) -> Passport:
    """Reconcile now and make the passport; store it as a new version only when its content changed."""
    found = reconcile_patient(session, nhs_number, now, settings)
    patient = found.patient
    allergies, statements = _allergies(session, patient.id)
    inputs = PassportInputs(
        nhs_number=patient.nhs_number,
        name=" ".join(p for p in (patient.given, (patient.family or "").upper()) if p) or patient.nhs_number,
        birth_date=patient.birth_date,
        gp_practice=patient.gp_practice_name or patient.gp_practice_ods or "not known",
        lists=found.lists, agreements=found.agreements, allergies=allergies, allergy_statements=statements,
        advice=AdviceInputs(patient.gender, age_on(patient.birth_date, now.date()),
                            lithium_level_due(list(found.result.lines), feed_views.test_results(session, patient.id), patient.birth_date,
                                              now.date()), now.date()),
        today=now.date(),
    )
    repository.lock_patient(session, patient.id)  # another request may be storing this patient's next version
    versions = list(session.scalars(select(PassportRow).where(PassportRow.patient_id == patient.id)
                                    .order_by(desc(PassportRow.version)).limit(2)))
    latest = versions[0] if versions else None
    draft = build_passport(inputs, now, latest.content if latest else None, (latest.version if latest else 0) + 1)
    content = json.loads(json.dumps(asdict(draft), default=str))
    if latest is not None and latest.content_hash == _digest(content):
        earlier = versions[1].content if len(versions) > 1 else None
        return build_passport(inputs, latest.made_at, earlier, latest.version)
    session.add(PassportRow(patient_id=patient.id, version=draft.version, made_at=now, content_hash=_digest(content), content=content))
    session.commit()
    return draft
