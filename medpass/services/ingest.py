"""Accept one feed message: validate it whole, store it verbatim with what it says, or change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medpass.db import feed_views, repository
from medpass.db.rows import PatientRow
from medpass.domain.errors import Issue
from medpass.domain.feeds import Feed, parse_feed
from medpass.domain.messages import FeedMessage
from medpass.domain.reconciliation import ReconciliationSettings
from medpass.domain.tasks import CareNetwork
from medpass.fhir.parse import ParsedBundle
from medpass.fhir.read_message import read_feed_message
from medpass.services.notifications import notify_partners
from medpass.services.reconcile import store_discrepancies
from medpass.services.storage import storage_errors


@dataclass(frozen=True)
class IngestResult:
    """What happened to one accepted message."""

    message_id: int
    nhs_number: str
    feed: Feed
    duplicate: bool
    medications: int
    allergies: int
    medications_known: bool
    medications_unknown_reason: str | None
    warnings: tuple[Issue, ...]
    bundle_type: str = "collection"
    entries: int = 0
    tasks: int = 0

    def summary(self) -> str:
        """One line for people: what was stored, or that nothing changed."""
        if self.duplicate:
            return f"duplicate of message {self.message_id} ({self.feed.value}, NHS number {self.nhs_number}): nothing changed"
        known = "" if self.medications_known else f"; current medicines NOT KNOWN ({self.medications_unknown_reason})"
        repaired = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        told = f"; {self.tasks} change notification(s) for the other care partners" if self.tasks else ""
        return (
            f"accepted message {self.message_id} ({self.feed.value}, NHS number {self.nhs_number}): "
            f"{self.medications} medication(s), {self.allergies} allerg{'y' if self.allergies == 1 else 'ies'}{known}{repaired}{told}"
        )


def ingest_message(
    session: Session,
    feed_name: str,
    raw: bytes,
    *,
    sender: str,
    now: datetime,
    max_bytes: int,
    fhir_version: str | None = None,
    network: CareNetwork,
    public_base_url: str | None,
    settings: ReconciliationSettings,
) -> IngestResult:
    """Store `raw` as `feed`'s newest word on its patient, once; raise MessageRejected and store nothing if bad.

    In the same transaction: the patient is reconciled and the other care partners get a Task for every change.
    """
    feed = parse_feed(feed_name)
    message, parsed = read_feed_message(raw, feed, max_bytes, fhir_version)
    with storage_errors(session):
        return _store(session, feed, message, parsed, raw, sender=sender, now=now, network=network, public_base_url=public_base_url,
                      settings=settings)


def _store(
    session: Session, feed: Feed, message: FeedMessage, parsed: ParsedBundle, raw: bytes, *, sender: str, now: datetime,
    network: CareNetwork, public_base_url: str | None, settings: ReconciliationSettings,
) -> IngestResult:
    """Store an accepted message once, in one transaction; a duplicate changes nothing."""
    nhs_number, asserted = message.demographics.nhs_number, message.asserted_at or now
    made = 0
    try:
        patient_id, existing_id = repository.patient_and_duplicate(session, nhs_number, feed.value, parsed.content_hash)
        if existing_id is not None:
            session.rollback()
            message_id, duplicate = existing_id, True
        else:
            before = feed_views.feed_lists(session, patient_id) if patient_id is not None else []
            patient_id = repository.save_patient(session, patient_id, message.demographics, asserted, now)
            message_id = repository.add_message(
                session,
                patient_id,
                feed.value,
                message,
                raw=raw.decode("utf-8-sig"),
                content_hash=parsed.content_hash,
                sender=sender,
                received_at=now,
            )
            patient = session.get_one(PatientRow, patient_id)
            stored = store_discrepancies(session, patient, now, settings)
            made = notify_partners(session, patient, feed, message_id, before, stored.lists, stored.opened, network, now,
                                   public_base_url)
            session.commit()
            duplicate = False
    except IntegrityError:
        session.rollback()  # the same message arrived concurrently and the other copy won
        _, existing_id = repository.patient_and_duplicate(session, nhs_number, feed.value, parsed.content_hash)
        if existing_id is None:
            raise
        message_id, duplicate = existing_id, True
    except BaseException:
        session.rollback()
        raise
    return IngestResult(
        message_id=message_id,
        nhs_number=message.demographics.nhs_number,
        feed=feed,
        duplicate=duplicate,
        medications=len(message.medications),
        allergies=len(message.allergies),
        medications_known=message.medication_list.known,
        medications_unknown_reason=message.medication_list.reason,
        warnings=message.warnings,
        bundle_type=message.bundle_type,
        entries=len(parsed.data.get("entry", [])),
        tasks=made,
    )
