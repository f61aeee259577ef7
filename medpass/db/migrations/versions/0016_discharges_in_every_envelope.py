"""whether a message is a discharge summary, in any envelope; Nil Known lists read as known

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27

Backfill, from each stored message's verbatim JSON (feed_messages.raw), with the rules as they stand at this
revision (copied here, so that later changes to the reader never change what this migration did):

- is_discharge: a `document` Bundle, or a message carrying a Composition (at the top level or in a document Bundle
  inside a `message` Bundle), or the PRSB active / discontinued medications List (SNOMED 1102411000000102 /
  1102191000000100). Before this revision only `document` Bundles were treated as discharges.
- medications_known: a message stored as "not known" only because its medication List or section was empty is
  known (of no medicines) when every emptyReason in it is `nilknown` on an empty List or section. Anything less
  clear stays "not known" (the safe reading); the next message from that feed decides afresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_DISCHARGE_LISTS = {"1102411000000102", "1102191000000100"}
_EMPTY_REASON_SYSTEMS = {"http://terminology.hl7.org/CodeSystem/list-empty-reason", "http://hl7.org/fhir/list-empty-reason"}
_EMPTY_PARTS = ("the medication List is empty (", "the medication section is empty (")
_BATCH = 500

_messages = sa.table(
    "feed_messages",
    sa.column("id", sa.Integer),
    sa.column("bundle_type", sa.String),
    sa.column("raw", sa.Text),
    sa.column("is_discharge", sa.Boolean),
    sa.column("medications_known", sa.Boolean),
    sa.column("medications_unknown_reason", sa.Text),
)


def _resources(bundle: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every resource of a Bundle and of a Bundle carried in one of its entries."""
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            yield resource
            if resource.get("resourceType") == "Bundle":
                yield from _resources(resource)


def _codes(concept: Any) -> set[str]:
    """The codes of a CodeableConcept."""
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return {str(c.get("code")) for c in codings or [] if isinstance(c, dict)}


def _is_discharge(bundle: dict[str, Any]) -> bool:
    """A discharge summary in any envelope (medpass.fhir.read_lists.is_discharge at this revision)."""
    if bundle.get("type") == "document":
        return True
    for resource in _resources(bundle):
        if resource.get("resourceType") == "Composition":
            return True
        listed = resource.get("resourceType") == "List" and resource.get("status") != "entered-in-error"
        if listed and _codes(resource.get("code")) & _DISCHARGE_LISTS:
            return True
    return False


def _emptied(bundle: dict[str, Any]) -> Iterator[tuple[Any, bool]]:
    """(emptyReason, has entries) of every List and Composition section with an emptyReason."""
    def sections(items: Any) -> Iterator[dict[str, Any]]:
        for section in items or []:
            if isinstance(section, dict):
                yield section
                yield from sections(section.get("section"))

    for resource in _resources(bundle):
        holders = [resource] if resource.get("resourceType") == "List" else []
        if resource.get("resourceType") == "Composition":
            holders = list(sections(resource.get("section")))
        for holder in holders:
            if holder.get("emptyReason") is not None:
                yield holder["emptyReason"], bool(holder.get("entry"))


def _nil_known_only(bundle: dict[str, Any], reason: str | None) -> bool:
    """True when a message was 'not known' only because of emptied lists, and every one was emptied as Nil Known."""
    parts = (reason or "").split("; ")
    if not reason or not all(part.startswith(_EMPTY_PARTS) for part in parts):
        return False
    emptied = list(_emptied(bundle))
    return bool(emptied) and all(
        not has_entries and any(isinstance(c, dict) and c.get("code") == "nilknown" and c.get("system") in _EMPTY_REASON_SYSTEMS
                                for c in (why.get("coding") if isinstance(why, dict) else None) or [])
        for why, has_entries in emptied
    )


def _backfill(connection: sa.Connection) -> None:
    """Decide is_discharge and Nil Known for every stored message that could need it, a batch at a time."""
    connection.execute(sa.update(_messages).where(_messages.c.bundle_type == "document").values(is_discharge=True))
    maybe = sa.or_(*(_messages.c.raw.like(f"%{word}%") for word in ("Composition", "nilknown", *_DISCHARGE_LISTS)))
    ids = list(connection.execute(sa.select(_messages.c.id).where(maybe).order_by(_messages.c.id)).scalars())
    for start in range(0, len(ids), _BATCH):
        rows = connection.execute(sa.select(_messages.c.id, _messages.c.raw, _messages.c.medications_known,
                                            _messages.c.medications_unknown_reason)
                                  .where(_messages.c.id.in_(ids[start:start + _BATCH])))
        for row in rows.all():
            try:
                bundle = json.loads(row.raw)
            except ValueError:
                continue
            if not isinstance(bundle, dict):
                continue
            values: dict[str, Any] = {}
            if _is_discharge(bundle):
                values["is_discharge"] = True
            if not row.medications_known and _nil_known_only(bundle, row.medications_unknown_reason):
                values |= {"medications_known": True, "medications_unknown_reason": None}
            if values:
                connection.execute(sa.update(_messages).where(_messages.c.id == row.id).values(**values))


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('feed_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_discharge', sa.Boolean(), server_default='0', nullable=False))
    _backfill(op.get_bind())


def downgrade() -> None:
    """Undo this revision (Nil Known messages made known stay known: the verbatim message says so)."""
    with op.batch_alter_table('feed_messages', schema=None) as batch_op:
        batch_op.drop_column('is_discharge')
