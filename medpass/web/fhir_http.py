"""FHIR responses and request parts shared by every /fhir view: JSON out, paging, versions, If-Match, bodies, patches."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import jsonpatch
from flask import Response, g, request
from werkzeug.exceptions import UnsupportedMediaType

from medpass.domain.clients import ApiClient, Interaction
from medpass.domain.errors import InvalidRequest, NotPermitted
from medpass.fhir.codes import CANONICAL_BASE
from medpass.fhir.search_params import page_size

T = TypeVar("T")


FHIR_JSON = "application/fhir+json"


ACCEPTED_BODIES = {"application/fhir+json", "application/json"}


def fhir(resource: dict[str, Any], status: int = 200) -> Response:
    """A FHIR JSON response."""
    return Response(json.dumps(resource), status=status, mimetype=FHIR_JSON)


def api_now() -> datetime:
    """The API's clock."""
    return datetime.now(UTC)


def require_scope(resource: str, interaction: Interaction) -> None:
    """403 unless the client's scopes allow this interaction on this resource type."""
    client: ApiClient = g.api_client
    if not client.allows(resource, interaction):
        raise NotPermitted(f"scope system/{resource}.{interaction.value} is not granted to {client.name}")


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A searchset Bundle of matches."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    }


def paged(found: Sequence[T], render: Callable[[T], dict[str, Any]], held: dict[str, str] | None = None,
          include: Callable[[Sequence[T]], list[dict[str, Any]]] | None = None) -> Response:
    """One page of a search (`_count`, `_offset`), with its total and a next link; `_summary=count` gives the total only.

    `held` goes into the next link (a snapshot) so that later pages answer the same search as the first;
    `include` gives the resources the page's matches bring with them (search mode include).
    """
    args = request.args.to_dict(flat=False)
    count, offset_raw = page_size(args), request.args.get("_offset", "0")
    if request.args.get("_summary") == "count" or count == 0:
        return fhir({"resourceType": "Bundle", "type": "searchset", "total": len(found)})
    if not (offset_raw.isascii() and offset_raw.isdigit()):
        raise InvalidRequest("_offset comes from a next link: a whole number")
    offset = int(offset_raw)
    page = found[offset: offset + count]
    bundle = searchset([render(item) for item in page])
    bundle["total"] = len(found)
    if include is not None:
        bundle["entry"] += [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
                            for r in include(page)]
    if offset + count < len(found):
        following = {**args, **{k: [v] for k, v in (held or {}).items()}, "_offset": [str(offset + count)]}
        bundle["link"].append({"relation": "next", "url": f"{request.base_url}?{urlencode(following, doseq=True)}"})
    return fhir(bundle)


def history_bundle(versions: list[tuple[dict[str, Any], int]]) -> dict[str, Any]:
    """A history Bundle of a resource's versions, newest first (version 1 was the create)."""
    return {
        "resourceType": "Bundle", "type": "history", "total": len(versions),
        "link": [{"relation": "self", "url": request.url}],
        "entry": [{"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r,
                   "request": {"method": "POST" if v == 1 else "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                   "response": {"status": "201 Created" if v == 1 else "200 OK", "etag": f'W/"{v}"'}}
                  for r, v in versions],
    }


def versioned(resource: dict[str, Any], version: int, last_modified: datetime | None, status: int = 200) -> Response:
    """A resource with its ETag (W/"version") and, when medpass knows it, Last-Modified."""
    response = fhir(resource, status)
    response.headers["ETag"] = f'W/"{version}"'
    if last_modified is not None:
        response.last_modified = last_modified
    return response


def if_match() -> int | None:
    """The version an If-Match header names (W/"3", "3" or 3), None without one; 400 when it is not a version."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f'If-Match {header!r} is not a version: send the ETag you read, e.g. W/"1"')
    return int(value)


def json_body() -> Any:
    """The request body as JSON (FHIR JSON or plain JSON); 415 for other media types, 400 when it does not parse."""
    if request.mimetype not in ACCEPTED_BODIES:
        raise UnsupportedMediaType("send FHIR JSON: Content-Type application/fhir+json")
    try:
        return json.loads(request.get_data())
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the body is not JSON") from None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: an object patch merges key by key (null removes a key); anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


_MERGE_PATCH_TYPES = {"application/merge-patch+json", "application/json", FHIR_JSON}


def patched(current: dict[str, Any]) -> Any:
    """The resource a PATCH makes of `current`: a JSON Patch (RFC 6902, application/json-patch+json), or a JSON Merge
    Patch (RFC 7386: application/merge-patch+json, or a partial resource as application/json, as fhirpy sends); 400
    for a patch that cannot be applied."""
    if request.mimetype not in {"application/json-patch+json", *_MERGE_PATCH_TYPES}:
        raise UnsupportedMediaType("PATCH takes application/json-patch+json (JSON Patch) or application/merge-patch+json")
    try:
        operations = json.loads(request.get_data())
        if request.mimetype in _MERGE_PATCH_TYPES:
            if not isinstance(operations, dict):
                raise ValueError("a merge patch is a JSON object")
            return merge_patch(current, operations)
        return jsonpatch.apply_patch(current, operations)
    except (ValueError, UnicodeDecodeError, TypeError, jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise InvalidRequest(f"the patch cannot be applied: {exc}") from None


def patient_param(parameter: str = "patient") -> int:
    """A patient=Patient/{id} (or {id}) search parameter, or 400."""
    value = request.args.get(parameter, "").removeprefix("Patient/")
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f"search by {parameter}=Patient/<id>")
    return int(value)
