"""Read-only pages for the demo: the patients and what each feed currently says about them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from medpass.services.patients import list_patients, patient_overview
from medpass.web import db_session, medpass_config

pages = Blueprint("pages", __name__)


def _require_demo_pages() -> None:
    """Patient pages are for the demo only until clinician sign-in exists (MEDPASS_DEMO_PAGES)."""
    if not medpass_config().demo_pages:
        abort(404)


@pages.get("/")
def index() -> ResponseReturnValue:
    """What medpass is, and (in the demo) the patients it holds."""
    demo = medpass_config().demo_pages
    patients = list_patients(db_session()) if demo else []
    return render_template("index.html", demo=demo, patients=patients)


@pages.get("/patients/<nhs_number>")
def patient(nhs_number: str) -> ResponseReturnValue:
    """Each feed's current view of one patient side by side, and the message history."""
    _require_demo_pages()
    return render_template("patient.html", overview=patient_overview(db_session(), nhs_number))
