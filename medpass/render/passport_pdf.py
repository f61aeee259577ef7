"""The passport as an A4 PDF, made with reportlab from the same model as the HTML page.

Every page carries the patient's name, NHS number, the passport's date and "page x of y" (issue 9, point 4), so a
page that comes loose still says whose it is and how old.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from medpass.domain.passport import Passport, PassportMedicine, PassportSection

_BLUE = colors.HexColor("#005eb8")
_GREY = colors.HexColor("#4c6272")
_MARGIN = 18 * mm
_SECTION_TITLES = {
    PassportSection.CHECK: "Check these with your care team",
    PassportSection.CURRENT: "My medicines now",
    PassportSection.PAUSED: "Paused: do not take these until you are told to start again",
    PassportSection.STOPPED: "Stopped",
    PassportSection.FINISHED: "Courses finished",
}


def _styles() -> dict[str, ParagraphStyle]:
    """Large, plain type: 13 pt body, bold headings."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontName="Helvetica", fontSize=13, leading=18)
    return {
        "title": ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=24, leading=30),
        "h2": ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=17, leading=22, textColor=_BLUE,
                             spaceBefore=12, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=body, fontName="Helvetica-Bold", fontSize=14, leading=19),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=10, leading=13, textColor=_GREY),
        "note": ParagraphStyle("note", parent=body, backColor=colors.HexColor("#fff9c4"), borderPadding=4, spaceBefore=4),
        "advice": ParagraphStyle("advice", parent=body, backColor=colors.HexColor("#e8f1f8"), borderPadding=4, spaceBefore=4),
        "warning": ParagraphStyle("warning", parent=body, backColor=colors.HexColor("#fde8e8"), borderPadding=4, spaceBefore=4),
    }


def _rows(medicine: PassportMedicine) -> list[tuple[str, str]]:
    """What a medicine's table shows, by its section."""
    rows = []
    if medicine.section is PassportSection.CURRENT:
        rows += [("How to take it", medicine.how_to_take),
                 ("What it's for", medicine.what_for or "Ask the person who prescribes it")]
    rows.append(("Who prescribes it", medicine.prescribed_by))
    if medicine.monitored_by:
        rows.append(("Who checks it", medicine.monitored_by))
    if medicine.since and medicine.section is PassportSection.CURRENT:
        rows.append(("Taking it since", medicine.since))
    if medicine.last_dose:
        rows.append(("Last injection", medicine.last_dose))
    if medicine.next_due:
        rows.append(("Next injection due", medicine.next_due))
    return rows


def _medicine(medicine: PassportMedicine, styles: dict[str, ParagraphStyle]) -> KeepTogether:
    """One medicine as a block that never splits across pages."""
    parts: list[Any] = [Paragraph(escape(medicine.name), styles["h3"])]
    if medicine.section is PassportSection.CHECK:
        parts += [Paragraph(escape(note), styles["warning"]) for note in medicine.notes]
    else:
        cells = [[Paragraph(f"<b>{escape(k)}</b>", styles["body"]), Paragraph(escape(v), styles["body"])] for k, v in _rows(medicine)]
        table = Table(cells, colWidths=[48 * mm, 122 * mm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBEFORE", (0, 0), (0, -1), 4, _BLUE)]))
        parts.append(table)
        parts += [Paragraph(escape(note), styles["note"]) for note in medicine.notes]
    parts += [Paragraph(f"<b>Important:</b> {escape(advice)}", styles["advice"]) for advice in medicine.advice]
    return KeepTogether([*parts, Spacer(1, 8)])


def _bullets(lines: list[str], styles: dict[str, ParagraphStyle]) -> list[Paragraph]:
    """Plain bullet lines."""
    return [Paragraph(f"• {escape(line)}", styles["body"]) for line in lines]


def _numbered_canvas(passport: Passport) -> type[Canvas]:
    """A canvas that writes, on every page once the page count is known, who the passport is for and 'page x of y'."""
    who = f"{passport.name} · NHS number {passport.spaced_nhs_number} · passport of {passport.made_on} (version {passport.version})"

    class PassportCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        """Holds each page until the end, then stamps every page with the header and footer."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, height = A4
                self.setFont("Helvetica", 9)
                self.setFillColor(_GREY)
                self.drawString(_MARGIN, height - 10 * mm, who)
                self.drawRightString(width - _MARGIN, 8 * mm, f"Page {number} of {len(self._pages)}")
                super().showPage()
            super().save()

    return PassportCanvas


def passport_pdf(passport: Passport) -> bytes:
    """The PDF's bytes."""
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=17 * mm, bottomMargin=16 * mm,
                                 title=f"Medication passport: {passport.name}", author="medpass")
    story: list[Any] = [
        Paragraph("My medication passport", styles["title"]),
        Paragraph(f"<b>{escape(passport.name)}</b> · NHS number {passport.spaced_nhs_number}"
                  + (f" · born {passport.born}" if passport.born else ""), styles["body"]),
        Paragraph(f"GP practice: {escape(passport.gp_practice)}", styles["body"]),
        Paragraph(f"Version {passport.version}, made {passport.made_on}.", styles["small"]),
    ]
    story += [Paragraph(escape(note), styles["warning"]) for note in passport.not_known]
    for section, medicines in passport.sections.items():
        if not medicines and section is not PassportSection.CURRENT:
            continue
        story.append(Paragraph(escape(_SECTION_TITLES[section]), styles["h2"]))
        story += [_medicine(m, styles) for m in medicines] or _bullets(["No medicine is agreed as current."], styles)
    story.append(Paragraph("Changes since my last passport", styles["h2"]))
    story += _bullets(list(passport.changes_since_last) or ["This is your first passport."], styles)
    story.append(Paragraph("What changed and why", styles["h2"]))
    story += _bullets([f"{c.date}: {c.medicine}: {c.what}. Why: {c.why}. ({c.who})" for c in passport.changes]
                      or ["No changes were recorded."], styles)
    story.append(Paragraph("Medicines I cannot take", styles["h2"]))
    cannot = [f"{a.substance}: {a.reaction}" for a in passport.allergies]
    cannot += [f"{s.text}, recorded by {s.recorded_by} on {s.recorded_on}." for s in passport.allergy_statements]
    story += _bullets(cannot or ["No allergies were recorded by the services that sent information."], styles)
    story.append(Paragraph("What to watch out for", styles["h2"]))
    story += _bullets(["Do not stop a medicine suddenly without asking the person who prescribes it.", *passport.monitoring], styles)
    story.append(Paragraph("Who to contact", styles["h2"]))
    story += _bullets([f"{role}: {who}" for role, who in passport.contacts], styles)
    document.build(story, canvasmaker=_numbered_canvas(passport))
    return out.getvalue()
