"""The downloadable template of each import: headers in the user's language, and what each means.

An XLSX template has the headers on its first sheet and a second sheet explaining every column; a
CSV template has the headers and a second row, starting with "#", that explains them (the importer
skips rows that start with "#").
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from oila.transfer.columns import IMPORT_TYPES, Column


def _allowed(column: Column) -> str:
    if column.choices is None:
        return ""
    return ", ".join(f"{value} ({label})" for value, label in column.choices.choices)


def _explanation(column: Column) -> str:
    required = _("required") if column.required else _("optional")
    return f"{column.help} ({required})"


def template_xlsx(type_key: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    kind = IMPORT_TYPES[type_key]
    book = Workbook()
    data = book.active
    data.title = str(kind.label)[:31]
    data.append([str(c.label) for c in kind.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    data.freeze_panes = "A2"
    help_sheet = book.create_sheet(_("Columns")[:31])
    help_sheet.append(
        [
            _("Header"),
            _("Key"),
            _("Required"),
            _("What to write"),
            _("Allowed values"),
            _("Example"),
        ]
    )
    for column in kind.columns:
        help_sheet.append(
            [
                str(column.label),
                column.key,
                _("yes") if column.required else _("no"),
                str(column.help),
                _allowed(column),
                column.example,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(type_key: str) -> bytes:
    kind = IMPORT_TYPES[type_key]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.label) for c in kind.columns])
    explanations = [_explanation(c) for c in kind.columns]
    explanations[0] = "# " + explanations[0]
    writer.writerow(explanations)
    return out.getvalue().encode("utf-8-sig")
