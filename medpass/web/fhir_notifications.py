"""Change notifications on the FHIR API: Tasks partners find and close, and rest-hook Subscriptions that push them."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from flask.typing import ResponseReturnValue

from medpass.domain.clients import ApiClient, Interaction
from medpass.domain.errors import InvalidRequest
from medpass.domain.tasks import TaskKind, TaskStatus
from medpass.fhir.build_task import subscription_resource, task_resource
from medpass.fhir.read_task import read_subscription, read_task_update
from medpass.fhir.search_params import unsupported
from medpass.services.subscriptions import client_subscriptions, create_subscription, delete_subscription, find_subscription
from medpass.services.tasks import find_task, search_tasks, task_history, task_version, update_task
from medpass.web import db_session
from medpass.web.fhir_http import api_now, fhir, history_bundle, if_match, json_body, paged, patched, require_scope, versioned

TASK_PARAMETERS = frozenset({"owner", "status", "patient", "code", "overdue"})

notifications = Blueprint("notifications", __name__)


def _values(name: str) -> list[str]:
    """Every comma-separated value of a parameter."""
    return [v for raw in request.args.getlist(name) for v in raw.split(",") if v]


@notifications.get("/Task")
def search_task() -> ResponseReturnValue:
    """Task?owner=Organization/<ODS>&status=requested (also patient, code, overdue=true), oldest first."""
    require_scope("Task", Interaction.SEARCH)
    unsupported(request.args, TASK_PARAMETERS)
    owner = request.args.get("owner")
    if owner is not None and (not owner.startswith("Organization/") or not owner.removeprefix("Organization/")):
        raise InvalidRequest("search by owner=Organization/<ODS code>")
    statuses = _values("status")
    if bad := [s for s in statuses if s not in set(TaskStatus)]:
        raise InvalidRequest(f"status {bad[0]!r} is not an R4 task-status code")
    kinds = [v.rpartition("|")[2] for v in _values("code")]
    if bad := [k for k in kinds if k not in set(TaskKind)]:
        raise InvalidRequest(f"code {bad[0]!r} is not a medpass change-notification code")
    patient = request.args.get("patient", "").removeprefix("Patient/")
    if patient and not (patient.isascii() and patient.isdigit()):
        raise InvalidRequest("search by patient=Patient/<id>")
    overdue = request.args.get("overdue", "false")
    if overdue not in ("true", "false"):
        raise InvalidRequest("overdue is true or false")
    now = api_now()
    found = search_tasks(db_session(), now, owner_ods=owner.removeprefix("Organization/") if owner else None, statuses=statuses,
                         patient_id=int(patient) if patient else None, kinds=kinds, overdue=overdue == "true")
    return paged(found, lambda task: task_resource(task, now))


@notifications.get("/Task/<int:task_id>")
def read_task(task_id: int) -> ResponseReturnValue:
    """Task read, with ETag and Last-Modified."""
    require_scope("Task", Interaction.READ)
    task = find_task(db_session(), task_id)
    return versioned(task_resource(task, api_now()), task.version, task.last_modified)


@notifications.get("/Task/<int:task_id>/_history")
def task_history_bundle(task_id: int) -> ResponseReturnValue:
    """Every version of a Task, newest first, as a history Bundle."""
    require_scope("Task", Interaction.READ)
    now = api_now()
    return fhir(history_bundle([(task_resource(t, now), t.version) for t in task_history(db_session(), task_id)]))


@notifications.get("/Task/<int:task_id>/_history/<version>")
def vread_task(task_id: int, version: str) -> ResponseReturnValue:
    """One version of a Task."""
    require_scope("Task", Interaction.READ)
    if not (version.isascii() and version.isdigit()):
        raise InvalidRequest("a version id is a whole number")
    task = task_version(db_session(), task_id, int(version))
    return versioned(task_resource(task, api_now()), task.version, task.last_modified)


def _move(task_id: int, resource: object) -> Response:
    """Apply the owner's update (status, reason, note) under If-Match."""
    asked = read_task_update(resource, str(task_id))
    client: ApiClient = g.api_client
    task = update_task(db_session(), task_id, status=asked.status, reason=asked.reason, note=asked.note, client_ods=client.ods_code,
                       by=f"{client.name} ({client.ods_code})", expected_version=if_match(), now=api_now())
    return versioned(task_resource(task, api_now()), task.version, task.last_modified)


@notifications.put("/Task/<int:task_id>")
def update_task_status(task_id: int) -> ResponseReturnValue:
    """The owner acknowledges (accepted), finishes (completed) or declines (rejected, statusReason.text) its Task."""
    require_scope("Task", Interaction.UPDATE)
    return _move(task_id, json_body())


@notifications.patch("/Task/<int:task_id>")
def update_task_by_patch(task_id: int) -> ResponseReturnValue:
    """The same as PUT, as a JSON Patch on the current Task (e.g. replace /status with accepted)."""
    require_scope("Task", Interaction.UPDATE)
    return _move(task_id, patched(task_resource(find_task(db_session(), task_id), api_now())))


@notifications.post("/Subscription")
def create_subscription_resource() -> ResponseReturnValue:
    """Register a rest-hook Subscription on Tasks: 201 with Location; medpass makes it active."""
    require_scope("Subscription", Interaction.CREATE)
    body = json_body()
    asked = read_subscription(body)
    client: ApiClient = g.api_client
    stored = create_subscription(db_session(), client.client_id, asked, str(body.get("status")), api_now())
    response = versioned(subscription_resource(stored), stored.version, stored.last_modified, 201)
    response.headers["Location"] = f"{request.url_root}fhir/Subscription/{stored.id}/_history/{stored.version}"
    return response


@notifications.get("/Subscription")
def search_subscriptions() -> ResponseReturnValue:
    """The calling client's own Subscriptions."""
    require_scope("Subscription", Interaction.SEARCH)
    client: ApiClient = g.api_client
    return paged(client_subscriptions(db_session(), client.client_id), subscription_resource)


@notifications.get("/Subscription/<int:subscription_id>")
def read_subscription_resource(subscription_id: int) -> ResponseReturnValue:
    """One of the client's Subscriptions, with its status and last error; 410 once deleted."""
    require_scope("Subscription", Interaction.READ)
    client: ApiClient = g.api_client
    stored = find_subscription(db_session(), subscription_id, client.client_id)
    return versioned(subscription_resource(stored), stored.version, stored.last_modified)


@notifications.delete("/Subscription/<int:subscription_id>")
def delete_subscription_resource(subscription_id: int) -> ResponseReturnValue:
    """Stop pushing: 204; a read afterwards answers 410 Gone."""
    require_scope("Subscription", Interaction.DELETE)
    client: ApiClient = g.api_client
    delete_subscription(db_session(), subscription_id, client.client_id, api_now())
    return Response(status=204)
