"""Read-only pages for the demo: the patients and what each feed currently says about them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue

from medpass.domain.reconciled_list import reconciled_lines
from medpass.render.passport_html import passport_html
from medpass.render.passport_pdf import passport_pdf
from medpass.services.passport import make_passport
from medpass.services.patients import list_patients, patient_overview
from medpass.services.reconcile import reconcile_patient
from medpass.services.tasks import search_tasks
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
    """Discrepancies, the reconciled list, each feed's current view side by side, and the message history."""
    _require_demo_pages()
    overview = patient_overview(db_session(), nhs_number)
    now = datetime.now(UTC)
    found = reconcile_patient(db_session(), nhs_number, now)
    practice = overview.patient.gp_practice_name or "GP practice"
    return render_template("patient.html", overview=overview, issues=found.issues, now=now,
                           tasks=search_tasks(db_session(), now, patient_id=overview.patient.id),
                           lines=reconciled_lines(found.agreements, practice))


@pages.get("/patients/<nhs_number>/passport")
def passport(nhs_number: str) -> ResponseReturnValue:
    """The patient's passport as the printable page."""
    _require_demo_pages()
    return passport_html(make_passport(db_session(), nhs_number, datetime.now(UTC)))


@pages.get("/patients/<nhs_number>/passport.pdf")
def passport_as_pdf(nhs_number: str) -> ResponseReturnValue:
    """The patient's passport as a PDF."""
    _require_demo_pages()
    pdf = passport_pdf(make_passport(db_session(), nhs_number, datetime.now(UTC)))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="passport-{nhs_number}.pdf"'})
