"""Change notifications as R4 Task resources, and rest-hook Subscriptions as R4 Subscription resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medpass.domain.subscriptions import StoredSubscription
from medpass.domain.tasks import CareTask, Partner
from medpass.fhir.codes import TASK_BUSINESS_STATUS_SYSTEM, TASK_CODE_SYSTEM, TASK_DEFINITIONS
from medpass.fhir.read_patient import ODS_SYSTEM


def instant(at: datetime) -> str:
    """A FHIR instant in UTC, to the second."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _organisation(partner: Partner) -> dict[str, Any]:
    """A Reference to a partner organisation: Organization/<ODS code> with its identifier, and its name."""
    reference: dict[str, Any] = {"display": partner.name}
    if partner.ods_code:
        reference["reference"] = f"Organization/{partner.ods_code}"
        reference["identifier"] = {"system": ODS_SYSTEM, "value": partner.ods_code}
    return reference


def task_resource(task: CareTask, now: datetime) -> dict[str, Any]:
    """One Task: for the patient, focused on the changed statement or the DetectedIssue, owned by one partner."""
    display, _ = TASK_DEFINITIONS[task.kind]
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(task.id),
        "meta": {"versionId": str(task.version), "lastUpdated": instant(task.last_modified)},
        "status": task.status.value,
        "intent": "order",
        "priority": "urgent" if task.urgent else "routine",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": task.kind.value, "display": display}], "text": display},
        "description": task.description,
        "focus": {"reference": task.focus},
        "for": {"reference": f"Patient/{task.patient_id}"},
        "authoredOn": instant(task.authored_on),
        "lastModified": instant(task.last_modified),
        "requester": _organisation(task.requester) if task.requester else {"reference": f"Patient/{task.patient_id}",
                                                                            "display": "the patient, by replies to SMS reminders"},
        "owner": _organisation(task.owner),
        "restriction": {"period": {"start": instant(task.authored_on), "end": instant(task.due_at)}},
    }
    if task.status_reason:
        resource["statusReason"] = {"text": task.status_reason}
    if task.overdue(now):
        resource["businessStatus"] = {
            "coding": [{"system": TASK_BUSINESS_STATUS_SYSTEM, "code": "overdue", "display": "Overdue"}],
            "text": f"Overdue: not acknowledged by {instant(task.due_at)}",
        }
    if task.note:
        resource["note"] = [{"text": task.note}]
    return resource


def subscription_resource(subscription: StoredSubscription) -> dict[str, Any]:
    """One rest-hook Subscription as its client registered it, with the status medpass keeps."""
    channel: dict[str, Any] = {"type": "rest-hook", "endpoint": subscription.endpoint}
    if subscription.payload:
        channel["payload"] = subscription.payload
    if subscription.headers:
        channel["header"] = list(subscription.headers)
    resource: dict[str, Any] = {
        "resourceType": "Subscription",
        "id": str(subscription.id),
        "meta": {"versionId": str(subscription.version), "lastUpdated": instant(subscription.last_modified)},
        "status": subscription.status.value,
        "reason": subscription.reason,
        "criteria": subscription.criteria,
        "channel": channel,
    }
    if subscription.error:
        resource["error"] = subscription.error
    return resource
