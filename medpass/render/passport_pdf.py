"""The passport as an A4 PDF, made with reportlab from the same model as the HTML page."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from medpass.domain.passport import Passport, PassportMedicine

_BLUE = colors.HexColor("#005eb8")


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
        "small": ParagraphStyle("small", parent=body, fontSize=10, leading=13, textColor=colors.HexColor("#4c6272")),
        "checking": ParagraphStyle("checking", parent=body, backColor=colors.HexColor("#fff9c4"), borderPadding=4),
    }


def _medicine(medicine: PassportMedicine, styles: dict[str, ParagraphStyle]) -> KeepTogether:
    """One medicine as a block that never splits across pages."""
    rows = [("How to take it", medicine.how_to_take), ("What it's for", medicine.what_for or "Ask the person who prescribes it"),
            ("Who prescribes it", medicine.prescribed_by)]
    if medicine.monitored_by:
        rows.append(("Who checks it", medicine.monitored_by))
    if medicine.last_dose:
        rows.append(("Last injection", medicine.last_dose))
    if medicine.stopped_reason:
        rows.append(("Why it stopped", medicine.stopped_reason))
    table = Table([[Paragraph(f"<b>{escape(k)}</b>", styles["body"]), Paragraph(escape(v), styles["body"])] for k, v in rows],
                  colWidths=[48 * mm, 122 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBEFORE", (0, 0), (0, -1), 4, _BLUE)]))
    parts = [Paragraph(escape(medicine.name), styles["h3"]), table]
    if medicine.being_checked:
        parts.append(Paragraph(escape(medicine.being_checked), styles["checking"]))
    return KeepTogether([*parts, Spacer(1, 6)])


def _bullets(lines: list[str], styles: dict[str, ParagraphStyle]) -> list[Paragraph]:
    """Plain bullet lines."""
    return [Paragraph(f"• {escape(line)}", styles["body"]) for line in lines]


def passport_pdf(passport: Passport) -> bytes:
    """The PDF's bytes."""
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                                 title=f"Medication passport: {passport.name}", author="medpass")
    number = f"{passport.nhs_number[:3]} {passport.nhs_number[3:6]} {passport.nhs_number[6:]}"
    story: list[object] = [
        Paragraph("My medication passport", styles["title"]),
        Paragraph(f"<b>{escape(passport.name)}</b> · NHS number {number}"
                  + (f" · born {passport.birth_date}" if passport.birth_date else ""), styles["body"]),
        Paragraph(f"GP practice: {escape(passport.gp_practice)}", styles["body"]),
        Paragraph(f"Version {passport.version}, made {passport.made_at.strftime('%d %B %Y')}.", styles["small"]),
    ]
    story += [Paragraph(escape(note), styles["checking"]) for note in passport.not_known]
    story.append(Paragraph("My medicines now", styles["h2"]))
    story += [_medicine(m, styles) for m in passport.medicines] or _bullets(["No current medicines were listed."], styles)
    story.append(Paragraph("Changes since my last passport", styles["h2"]))
    story += _bullets(list(passport.changes_since_last) or ["This is your first passport."], styles)
    story.append(Paragraph("What changed and why", styles["h2"]))
    story += _bullets([f"{c.date}: {c.what} {c.medicine}. Why: {c.why}. ({c.who})" for c in passport.changes]
                      or ["No changes were recorded."], styles)
    if passport.stopped:
        story.append(Paragraph("Medicines I should not be taking now", styles["h2"]))
        story += [_medicine(m, styles) for m in passport.stopped]
    story.append(Paragraph("Medicines I cannot take", styles["h2"]))
    story += _bullets([f"{a.substance}: {a.reaction}" for a in passport.allergies]
                      or ["No allergies were recorded by the services that sent information."], styles)
    story.append(Paragraph("What to watch out for", styles["h2"]))
    story += _bullets(["Do not stop a medicine suddenly without asking the person who prescribes it.", *passport.monitoring], styles)
    story.append(Paragraph("Who to contact", styles["h2"]))
    story += _bullets([f"{role}: {who}" for role, who in passport.contacts], styles)
    document.build(story)
    return out.getvalue()
