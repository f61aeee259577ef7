"""Every request medpass makes to Twilio, checked against Twilio's own OpenAPI description (../shared/twilio)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import requests
from openapi_core import Config as OpenAPIConfig
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest

from tests.conftest import shared_path

TWILIO_API = "https://api.twilio.com"


@cache
def _twilio_api() -> OpenAPI:
    """Twilio's API v2010 description (1.9 MB; read once). Its own structure is not re-validated, only requests."""
    data = json.loads(shared_path("twilio/twilio_api_v2010.json").read_text())
    return OpenAPI.from_dict(data, config=OpenAPIConfig(spec_validator_cls=None))


def request_problems(recorded: dict[str, Any]) -> list[str]:
    """What is wrong with one request the fake Twilio recorded, as Twilio's API description says ([] when nothing)."""
    headers = {k: v for k, v in recorded["headers"].items() if k.lower() in ("authorization", "content-type", "accept")}
    prepared = requests.Request(recorded["method"], f"{TWILIO_API}{recorded['path']}", data=recorded["raw"], headers=headers).prepare()
    try:
        _twilio_api().validate_request(RequestsOpenAPIRequest(prepared))
    except Exception as exc:  # openapi-core raises one of many error types; each is a problem to report
        return [f"{type(exc).__name__}: {exc}"]
    return []
