"""The patient's passport link: `/passport/<token>`, the printable passport, no sign-in, no NHS number in the address."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from medpass.render.passport_html import passport_html
from medpass.services.passport_links import passport_for_link
from medpass.web import db_session, medpass_config

patient_links = Blueprint("patient_links", __name__)


@patient_links.get("/passport/<token>")
def passport(token: str) -> ResponseReturnValue:
    """The passport the link was made for; never cached, never indexed, never sent on as a referrer."""
    page = passport_html(passport_for_link(db_session(), token, datetime.now(UTC), medpass_config().reconciliation))
    return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                                         "X-Robots-Tag": "noindex, nofollow"})
