"""Liveness: /healthz answers 200 when the app is up and its database answers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from medpass.services.health import database_answers
from medpass.web import db_session

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with status ok when the database answers; 503 when it does not."""
    try:
        ok = database_answers(db_session())
    except Exception:  # the database is down or unreachable
        ok = False
    return jsonify(status="ok" if ok else "database unavailable"), 200 if ok else 503
