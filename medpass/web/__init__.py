"""The web entry points: blueprints and the per-request session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, request

from medpass.domain.dates import long_date

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: GET endpoints that may write: they reconcile (storing what changed) or store a new passport version.
WRITING_READS = frozenset({
    "fhir_api.patients.passport", "fhir_api.issues.search_detected_issues", "fhir_api.statements.search_lists",
    "pages.patient", "pages.passport", "pages.passport_as_pdf", "patient_links.passport",
})


def db_session() -> Session:
    """The request's session, opened on first use and closed when the request ends.

    A request that may write gets the app's writing sessions (on SQLite they take the write lock at BEGIN,
    see db/session.py); a read gets a reading session, so reads never wait for one another.
    """
    if "db_session" not in g:
        writes = request.method not in ("GET", "HEAD") or request.endpoint in WRITING_READS
        g.db_session = current_app.extensions["medpass"]["sessions" if writes else "read_sessions"]()
    session: Session = g.db_session
    return session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session, if one was opened."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def medpass_config() -> Any:
    """The app's Config value."""
    return current_app.extensions["medpass"]["config"]


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the session teardown."""
    from medpass.web.fhir_api import fhir_api
    from medpass.web.health import health
    from medpass.web.pages import pages
    from medpass.web.patient_links import patient_links
    from medpass.web.sms_webhooks import sms_webhooks

    app.teardown_appcontext(close_session)
    app.add_template_filter(long_date, "long_date")
    app.register_blueprint(fhir_api)
    app.register_blueprint(health)
    app.register_blueprint(pages)
    app.register_blueprint(sms_webhooks)
    app.register_blueprint(patient_links)
