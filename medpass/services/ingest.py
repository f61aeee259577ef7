"""Accept one feed message: validate it whole, store it verbatim with what it says, or change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medpass.db import repository
from medpass.domain.errors import Issue
from medpass.domain.feeds import Feed, parse_feed
from medpass.fhir.read_message import read_feed_message


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

    def summary(self) -> str:
        """One line for people: what was stored, or that nothing changed."""
        if self.duplicate:
            return f"duplicate of message {self.message_id} ({self.feed.value}, NHS number {self.nhs_number}): nothing changed"
        known = "" if self.medications_known else f"; current medicines NOT KNOWN ({self.medications_unknown_reason})"
        repaired = f"; {len(self.warnings)} warning(s)" if self.warnings else ""
        return (
            f"accepted message {self.message_id} ({self.feed.value}, NHS number {self.nhs_number}): "
            f"{self.medications} medication(s), {self.allergies} allerg{'y' if self.allergies == 1 else 'ies'}{known}{repaired}"
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
) -> IngestResult:
    """Store `raw` as `feed`'s newest word on its patient, once; raise MessageRejected and store nothing if bad."""
    feed = parse_feed(feed_name)
    message, parsed = read_feed_message(raw, feed, max_bytes, fhir_version)
    asserted = message.asserted_at or now
    try:
        patient = repository.upsert_patient(session, message.demographics, asserted, now)
        session.flush()
        existing = repository.find_message(session, patient.id, feed.value, parsed.content_hash)
        if existing is None:
            row = repository.add_message(
                session,
                patient,
                feed.value,
                message,
                raw=raw.decode("utf-8-sig"),
                content_hash=parsed.content_hash,
                sender=sender,
                received_at=now,
            )
            session.commit()
            message_id, duplicate = row.id, False
        else:
            session.rollback()
            message_id, duplicate = existing.id, True
    except IntegrityError:
        session.rollback()  # the same message arrived concurrently and the other copy won
        found = repository.find_patient(session, message.demographics.nhs_number)
        existing = repository.find_message(session, found.id, feed.value, parsed.content_hash) if found else None
        if existing is None:
            raise
        message_id, duplicate = existing.id, True
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
    )
