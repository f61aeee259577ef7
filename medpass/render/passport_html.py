"""The passport as a printable HTML page in plain English (Jinja2 on its own: the CLI needs no Flask)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from medpass.domain.passport import Passport

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def _environment() -> Environment:
    """One autoescaping environment over medpass's templates."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def passport_html(passport: Passport) -> str:
    """The whole page, with its print stylesheet."""
    return _environment().get_template("passport.html").render(passport=passport)
