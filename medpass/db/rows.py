"""ORM rows (SQLAlchemy 2 typed). Each feed message is kept verbatim with what medpass read from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from medpass.db.types import UtcDateTime


class Base(DeclarativeBase):
    """Declarative base with one metadata for Alembic."""


class PatientRow(Base):
    """A patient keyed by NHS number; demographics are those of the newest message."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), unique=True)
    family: Mapped[str | None] = mapped_column(String(200))
    given: Mapped[str | None] = mapped_column(String(200))
    prefix: Mapped[str | None] = mapped_column(String(50))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    gender: Mapped[str | None] = mapped_column(String(20))
    gp_practice_ods: Mapped[str | None] = mapped_column(String(20))
    gp_practice_name: Mapped[str | None] = mapped_column(String(200))
    demographics_as_of: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: 1 when created, plus one each time a newer message (or a client's update) restates the demographics.
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    messages: Mapped[list[FeedMessageRow]] = relationship(back_populates="patient")


class FeedMessageRow(Base):
    """One accepted message, verbatim, with its feed, sender, times and content hash."""

    __tablename__ = "feed_messages"
    __table_args__ = (
        UniqueConstraint("patient_id", "feed", "content_hash", name="uq_feed_messages_content"),
        Index("ix_feed_messages_view", "patient_id", "feed", "asserted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    feed: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str] = mapped_column(String(200))
    source_organisation: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    asserted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))
    fhir_version: Mapped[str] = mapped_column(String(10))
    bundle_type: Mapped[str] = mapped_column(String(30))
    medications_known: Mapped[bool] = mapped_column(Boolean)
    medications_unknown_reason: Mapped[str | None] = mapped_column(Text)
    inpatient: Mapped[bool] = mapped_column(Boolean, server_default="0")
    is_discharge: Mapped[bool] = mapped_column(Boolean, server_default="0")
    warnings: Mapped[list[Any]] = mapped_column(JSON)
    raw: Mapped[str] = mapped_column(Text, deferred=True)  # loaded only when asked for: it can be megabytes

    patient: Mapped[PatientRow] = relationship(back_populates="messages")


class MedicationRow(Base):
    """One medicine as one message stated it (MedicationStatement or MedicationRequest)."""

    __tablename__ = "feed_medications"
    __table_args__ = (Index("ix_feed_medications_message", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("feed_messages.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    feed: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30))
    source_status: Mapped[str] = mapped_column(String(30))
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed: Mapped[str | None] = mapped_column(String(35))
    medicine_name: Mapped[str] = mapped_column(Text)
    medicine_text: Mapped[str | None] = mapped_column(Text)
    dmd_code: Mapped[str | None] = mapped_column(String(20), index=True)
    codings: Mapped[list[Any]] = mapped_column(JSON)
    form: Mapped[str | None] = mapped_column(String(200))
    transfer_degraded: Mapped[bool] = mapped_column(Boolean)
    dosage_text: Mapped[str | None] = mapped_column(Text)
    dosages: Mapped[list[Any]] = mapped_column(JSON)
    effective_start: Mapped[str | None] = mapped_column(String(35))
    effective_end: Mapped[str | None] = mapped_column(String(35))
    date_asserted: Mapped[str | None] = mapped_column(String(35))
    prescriber: Mapped[str | None] = mapped_column(String(50))
    prescriber_detail: Mapped[str | None] = mapped_column(Text)
    change_status: Mapped[str | None] = mapped_column(String(20))
    change_reason: Mapped[str | None] = mapped_column(Text)
    change_date: Mapped[str | None] = mapped_column(String(35))
    change_details: Mapped[str | None] = mapped_column(Text)
    last_issue_date: Mapped[str | None] = mapped_column(String(35))
    last_dose_date: Mapped[str | None] = mapped_column(String(35))
    plan_id: Mapped[str | None] = mapped_column(String(100))
    prior_plan_id: Mapped[str | None] = mapped_column(String(200))
    list_kind: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(50))
    notes: Mapped[list[Any]] = mapped_column(JSON)
    indication: Mapped[str | None] = mapped_column(Text, nullable=True)


class AllergyRow(Base):
    """One allergy or intolerance as one message recorded it."""

    __tablename__ = "feed_allergies"
    __table_args__ = (Index("ix_feed_allergies_message", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("feed_messages.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    feed: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[str | None] = mapped_column(String(100))
    substance_name: Mapped[str] = mapped_column(Text)
    codings: Mapped[list[Any]] = mapped_column(JSON)
    clinical_status: Mapped[str | None] = mapped_column(String(30))
    verification_status: Mapped[str | None] = mapped_column(String(30))
    criticality: Mapped[str | None] = mapped_column(String(30))
    categories: Mapped[list[Any]] = mapped_column(JSON)
    reactions: Mapped[list[Any]] = mapped_column(JSON)
    recorded_date: Mapped[str | None] = mapped_column(String(35))
    note: Mapped[str | None] = mapped_column(Text)


class DetectedIssueRow(Base):
    """A discrepancy as medpass last found it, with its resolution; one row per patient and issue key."""

    __tablename__ = "detected_issues"
    __table_args__ = (UniqueConstraint("patient_id", "issue_key", name="uq_detected_issues_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    issue_key: Mapped[str] = mapped_column(Text)
    resource_id: Mapped[str] = mapped_column(String(32), unique=True)
    code: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    medicine: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    documented: Mapped[bool] = mapped_column(Boolean)
    implicated: Mapped[list[Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    current: Mapped[bool] = mapped_column(Boolean)
    first_found_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_found_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ResolutionRow(Base):
    """Every action on a discrepancy (resolve, dismiss, reopen), for its Provenance and the passport's history."""

    __tablename__ = "issue_resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("detected_issues.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class PassportRow(Base):
    """Each passport made for a patient, with its date: 'changes since your last passport' compares them."""

    __tablename__ = "passports"
    __table_args__ = (UniqueConstraint("patient_id", "version", name="uq_passports_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class LabResultRow(Base):
    """A blood test result one message carried (today: lithium levels), for the monitoring rules."""

    __tablename__ = "feed_test_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("feed_messages.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    feed: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    taken_on: Mapped[str] = mapped_column(String(10))
    value: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(40))


class ApiClientRow(Base):
    """A registered calling system; its bearer token is stored only as a SHA-256 hash."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    ods_code: Mapped[str] = mapped_column(String(20))
    feed: Mapped[str | None] = mapped_column(String(20))
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditEventRow(Base):
    """Every FHIR API interaction: who, what, when, and how it ended (never the token)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"), nullable=True)
    client_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(1))
    interaction: Mapped[str] = mapped_column(String(30))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer)


class TaskRow(Base):
    """A change notification to one care partner (FHIR Task); every version is kept in task_versions."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("message_id", "owner_feed", "change_key", name="uq_tasks_change"),
        Index("ix_tasks_owner_status", "owner_ods", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("feed_messages.id"), nullable=True)  # None: from SMS replies
    requester_feed: Mapped[str] = mapped_column(String(20))
    requester_ods: Mapped[str | None] = mapped_column(String(20))
    owner_feed: Mapped[str] = mapped_column(String(20))
    owner_ods: Mapped[str | None] = mapped_column(String(20))
    owner_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    change_key: Mapped[str] = mapped_column(Text)
    focus: Mapped[str] = mapped_column(String(100))
    medicine: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    authored_on: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    last_modified: Mapped[datetime] = mapped_column(UtcDateTime())
    modified_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)


class TaskVersionRow(Base):
    """Each version of a Task as it was served (for vread and _history)."""

    __tablename__ = "task_versions"
    __table_args__ = (UniqueConstraint("task_id", "version", name="uq_task_versions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    modified_by: Mapped[str] = mapped_column(String(200))


class SubscriptionRow(Base):
    """A client's R4 rest-hook Subscription on Tasks; a deleted one is kept (reads answer 410 Gone)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    criteria: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    endpoint: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(String(100))
    headers: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_modified: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean)


class NotificationRow(Base):
    """One push owed to a Subscription (an outbox row, written with the Task change it reports)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("subscription_id", "task_id", "task_version", name="uq_notifications_push"),
        Index("ix_notifications_due", "delivered_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    task_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text)


class SmsContactRow(Base):
    """A patient's mobile number (E.164) and what their messages may say."""

    __tablename__ = "sms_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    show_medicine_names: Mapped[bool] = mapped_column(Boolean)
    number_problem: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SmsConsentRow(Base):
    """Every opt-in and opt-out, kept: who recorded it, when, and how."""

    __tablename__ = "sms_consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    change: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))
    how: Mapped[str] = mapped_column(Text)


class SmsOutboxRow(Base):
    """One SMS, written before anything is sent; its idempotency key makes it once however often planning runs."""

    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    to_number: Mapped[str | None] = mapped_column(String(20))
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SmsInboundRow(Base):
    """A patient's reply, kept as sent: what medpass read it as, and the reminder it answers (TAKEN/SKIP)."""

    __tablename__ = "sms_inbound"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), nullable=True, index=True)
    from_number: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    answers_outbox_id: Mapped[int | None] = mapped_column(ForeignKey("sms_outbox.id"), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SmsStatusRow(Base):
    """A Twilio status callback, once per (message SID, status): Twilio may repeat them."""

    __tablename__ = "sms_status_events"
    __table_args__ = (UniqueConstraint("message_sid", "status", name="uq_sms_status_events"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SmsReminderPlanRow(Base):
    """A patient's dose reminders for one medicine of the reconciled list, at local times they chose (or the defaults)."""

    __tablename__ = "sms_reminder_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    medicine: Mapped[str] = mapped_column(Text)
    times: Mapped[list[Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)
    stopped_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class PassportLinkRow(Base):
    """A link a patient was sent to open their passport: only the token's hash is kept, and it expires."""

    __tablename__ = "passport_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
