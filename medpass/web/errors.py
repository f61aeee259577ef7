"""One mapping from errors to HTTP: JSON (OperationOutcome) for API callers, a page for people."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.exceptions import NotFound as HttpNotFound

from medpass.domain.errors import (
    Conflict,
    Gone,
    InvalidRequest,
    Issue,
    MessageRejected,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    PayloadTooLarge,
    Severity,
    StaleVersion,
    StorageUnavailable,
    TooManyRequests,
    UnsupportedVersion,
    error,
)
from medpass.fhir.outcome import operation_outcome

log = logging.getLogger(__name__)

_REJECTION_STATUS = {PayloadTooLarge: 413, UnsupportedVersion: 415}


def _wants_json() -> bool:
    """API callers (FHIR clients, scripts, anything under /fhir) get JSON; browsers get a page."""
    if request.path.startswith("/fhir"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/fhir+json", "application/json"])
    return best != "text/html"


def _respond(status: int, issues: list[Issue], title: str) -> ResponseReturnValue:
    """Render the error as an OperationOutcome or as a page."""
    if _wants_json():
        return operation_outcome(issues), status, {"Content-Type": "application/fhir+json"}
    return render_template("error.html", status=status, title=title, issues=issues), status


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; no caller ever sees a stack trace."""

    @app.errorhandler(MessageRejected)
    def rejected(exc: MessageRejected) -> ResponseReturnValue:
        structural = any(issue.code == "structure" for issue in exc.issues)
        status = next((code for kind, code in _REJECTION_STATUS.items() if isinstance(exc, kind)), 400 if structural else 422)
        return _respond(status, exc.issues, "The message was rejected")

    @app.errorhandler(StorageUnavailable)
    def storage(exc: StorageUnavailable) -> ResponseReturnValue:
        log.error("storage unavailable: %s", exc)
        return _respond(503, [error("transient", "the service cannot reach its database; try again shortly")], "Service unavailable")

    @app.errorhandler(NotAuthenticated)
    def not_authenticated(exc: NotAuthenticated) -> ResponseReturnValue:
        headers = {"Content-Type": "application/fhir+json", "WWW-Authenticate": 'Bearer realm="medpass"'}
        return operation_outcome([error("login", str(exc))]), 401, headers

    @app.errorhandler(NotPermitted)
    def not_permitted(exc: NotPermitted) -> ResponseReturnValue:
        return _respond(403, [error("forbidden", str(exc))], "Not allowed")

    @app.errorhandler(InvalidRequest)
    def invalid(exc: InvalidRequest) -> ResponseReturnValue:
        return _respond(400, [error("invalid", str(exc))], "The request could not be carried out")

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> ResponseReturnValue:
        return _respond(404, [error("not-found", str(exc))], "Not found")

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict) -> ResponseReturnValue:
        return _respond(409, [error("conflict", str(exc))], "Conflict")

    @app.errorhandler(StaleVersion)
    def stale(exc: StaleVersion) -> ResponseReturnValue:
        return _respond(412, [error("conflict", str(exc))], "Precondition failed")

    @app.errorhandler(Gone)
    def gone(exc: Gone) -> ResponseReturnValue:
        return _respond(410, [error("deleted", str(exc))], "Gone")

    @app.errorhandler(TooManyRequests)
    def too_many(exc: TooManyRequests) -> ResponseReturnValue:
        headers = {"Content-Type": "application/fhir+json", "Retry-After": str(exc.retry_after)}
        return operation_outcome([error("throttled", str(exc))]), 429, headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        kind = "not-found" if isinstance(exc, HttpNotFound) else ("too-long" if code == 413 else "processing")
        return _respond(code, [Issue(Severity.ERROR, kind, exc.description or exc.name)], exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error")
        fault = InternalServerError()
        return _respond(500, [Issue(Severity.FATAL, "exception", "internal error: it has been logged")], fault.name)
