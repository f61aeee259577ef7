"""Views of the passport for people: HTML (Jinja2, without Flask) and PDF (reportlab)."""
