"""Links that let a patient open their own passport from an SMS, without their NHS number in the address.

Each link is a fresh random token (256 bits) made for one message; medpass keeps only its SHA-256 and an expiry
(PASSPORT_LINK_DAYS). Opening it shows the passport as it is now. Whoever holds the phone can open it, as they
can read the SMS: the message itself names nothing, the passport does (it is the patient's own document).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import PassportLinkRow, PatientRow
from medpass.domain.errors import NotFound
from medpass.domain.passport import Passport
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.services.passport import make_passport

PASSPORT_LINK_DAYS = 14


def _hash(token: str) -> str:
    """What is stored instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(session: Session, patient_id: int, now: datetime) -> str:
    """A new token for the patient's passport (the caller commits); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(PassportLinkRow(patient_id=patient_id, token_hash=_hash(token), created_at=now,
                                expires_at=now + timedelta(days=PASSPORT_LINK_DAYS)))
    return token


def passport_for_link(session: Session, token: str, now: datetime, settings: ReconciliationSettings) -> Passport:
    """The passport a link opens, or NotFound for an unknown or expired link (the same answer for both)."""
    link = session.scalars(select(PassportLinkRow).where(PassportLinkRow.token_hash == _hash(token))).first()
    gone = NotFound("this passport link is not known or has expired: ask your GP practice or pharmacy for your passport")
    if link is None:
        raise gone
    if link.expires_at <= now:  # UtcDateTime hands back aware UTC on both databases
        raise gone
    patient = session.get_one(PatientRow, link.patient_id)
    return make_passport(session, patient.nhs_number, now, settings)
