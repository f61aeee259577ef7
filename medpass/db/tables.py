"""Core tables for the hot paths (ingest and reconciliation).

Statements on them skip the ORM's per-statement bookkeeping, which costs more than the database round trip
(docs/PERFORMANCE.md).
"""

from __future__ import annotations

from sqlalchemy import Table

from medpass.db.rows import AllergyRow, FeedMessageRow, LabResultRow, MedicationRow, PatientRow

PATIENTS: Table = PatientRow.__table__  # type: ignore[assignment]
MESSAGES: Table = FeedMessageRow.__table__  # type: ignore[assignment]
MEDICATIONS: Table = MedicationRow.__table__  # type: ignore[assignment]
ALLERGIES: Table = AllergyRow.__table__  # type: ignore[assignment]
LAB_RESULTS: Table = LabResultRow.__table__  # type: ignore[assignment]
