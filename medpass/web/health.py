"""Liveness: /healthz answers 200 when the app is up and its database answers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from medpass.web import db_session

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with status ok when the database answers a query."""
    db_session().execute(text("SELECT 1"))
    return jsonify(status="ok")
