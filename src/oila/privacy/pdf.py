"""The subject-access export as a PDF (WeasyPrint, DejaVu Sans: Latin and Cyrillic alike)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

STYLE = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; }
h1 { font-size: 14pt; } h2 { font-size: 11pt; margin-top: 12pt; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; }
th, td { text-align: left; vertical-align: top; padding: 1pt 4pt; border-bottom: 1px solid #ddd; }
th { width: 30%; font-weight: normal; color: #444; }
td { word-break: break-word; }
"""


def render_pdf(person: Any, document: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML

    sections = [
        (name, rows)
        for name, rows in document.items()
        if isinstance(rows, list) and name != "audit_events"
    ]
    html = render_to_string(
        "privacy/export_pdf.html",
        {
            "person": person,
            "document": document,
            "sections": sections,
            "events": document["audit_events"],
        },
    )
    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(string=STYLE)]))
