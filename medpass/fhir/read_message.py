"""A feed message from raw bytes to a domain FeedMessage: the one entry point of the FHIR reading side."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from medpass.domain.errors import MessageRejected, UnsupportedVersion, error
from medpass.domain.feeds import Feed
from medpass.domain.messages import FeedMessage
from medpass.fhir.bundle_index import BundleIndex
from medpass.fhir.models import FhirVersion
from medpass.fhir.parse import ParsedBundle, parse_bundle
from medpass.fhir.read_allergies import read_allergies
from medpass.fhir.read_lists import is_discharge, list_state, read_lists
from medpass.fhir.read_medications import read_medications
from medpass.fhir.read_patient import organisation, read_patient
from medpass.fhir.read_tests import read_tests

#: GP Connect Access Record: Structured is STU3 (GP feed); CareConnect discharge summaries are STU3 (acute).
#: The mental-health feed is UK Core R4 only.
VERSIONS_BY_FEED = {
    Feed.GP: frozenset({FhirVersion.R4, FhirVersion.STU3}),
    Feed.ACUTE: frozenset({FhirVersion.R4, FhirVersion.STU3}),
    Feed.MENTAL_HEALTH: frozenset({FhirVersion.R4}),
}


def parse_instant(value: Any) -> datetime | None:
    """A FHIR instant/dateTime as an aware UTC datetime; a bare date is midnight UTC; None if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text if "T" in text else f"{text[:10]}T00:00:00+00:00")
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def message_time(bundle: dict[str, Any], index: BundleIndex) -> datetime | None:
    """When the sender says the message was made: Bundle.timestamp, meta.lastUpdated, the document's date."""
    candidates = [bundle.get("timestamp"), (bundle.get("meta") or {}).get("lastUpdated")]
    candidates += [e.resource.get("date") for e in index.of_type("Composition")]
    candidates += [e.resource.get("date") for e in index.of_type("List")]
    for candidate in candidates:
        parsed = parse_instant(candidate)
        if parsed is not None:
            return parsed
    return None


def _source_organisation(index: BundleIndex) -> str | None:
    """Who wrote the message, where it says: the document's author or the MessageHeader's sender."""
    for entry in index.of_type("Composition"):
        for author in entry.resource.get("author", []) or []:
            found = organisation(index.resolve(author))
            if found:
                return found.ods_code or found.name
    for entry in index.of_type("MessageHeader"):
        found = organisation(index.resolve(entry.resource.get("sender")))
        if found:
            return found.ods_code or found.name
    return None


def read_feed_message(
    raw: bytes, feed: Feed, max_bytes: int, version: str | None = None
) -> tuple[FeedMessage, ParsedBundle]:
    """Validate and read one message for `feed`, or raise MessageRejected saying everything wrong."""
    parsed = parse_bundle(raw, max_bytes, version)
    if parsed.version not in VERSIONS_BY_FEED[feed]:
        raise UnsupportedVersion(
            [
                error(
                    "not-supported",
                    f"the {feed.value} feed takes UK Core R4 (4.0.1); this message is FHIR {parsed.version.name}",
                    "Bundle.meta.profile",
                )
            ]
        )
    try:
        return _read(parsed, feed), parsed
    except MessageRejected:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a shape validation let through
        raise MessageRejected(
            [error("exception", f"medpass could not read this message ({type(exc).__name__}: {exc}); nothing was stored")]
        ) from exc


def _read(parsed: ParsedBundle, feed: Feed) -> FeedMessage:
    """Map a validated Bundle to the domain."""
    index = BundleIndex.of(parsed.data)
    demographics = read_patient(index)
    lists = read_lists(index)
    medications, warnings = read_medications(index, lists.kind_by_key)
    bundle_type = str(parsed.data.get("type"))
    return FeedMessage(
        fhir_version=parsed.version.value,
        bundle_type=bundle_type,
        is_discharge=is_discharge(bundle_type, lists),
        demographics=demographics,
        asserted_at=message_time(parsed.data, index),
        medications=medications,
        medication_list=list_state(lists, len(medications)),
        allergies=read_allergies(index),
        source_organisation=_source_organisation(index),
        warnings=parsed.warnings + tuple(warnings),
        tests=read_tests(index),
        inpatient=_inpatient(index),
    )


#: v3 ActCode encounter classes for a stay in hospital (UK Core Encounter.class).
_INPATIENT_CLASSES = frozenset({"IMP", "ACUTE", "NONAC"})


def _inpatient(index: BundleIndex) -> bool:
    """True when the message has an inpatient Encounter still in progress (admitted, not yet discharged)."""
    for entry in index.of_type("Encounter"):
        resource = entry.resource
        kind = resource.get("class")
        code = kind.get("code") if isinstance(kind, dict) else None
        if resource.get("status") == "in-progress" and code in _INPATIENT_CLASSES:
            return True
    return False
