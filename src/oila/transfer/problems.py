"""What an import found, as codes with parameters, and the sentence each code is shown as.

Reports keep codes, not sentences, so a report is read in the language of whoever opens it (the web
page, the command line), not of whoever started the job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from oila.transfer.columns import IMPORT_TYPES

MESSAGES: dict[str, Any] = {
    # The file as a whole
    "empty": _("The file is empty."),
    "too_large": _("The file is too large: at most %(mb)s MB can be imported at once."),
    "old_excel": _(
        "This is an old Excel file (.xls). Open it in Excel and save it as an Excel workbook "
        "(.xlsx) or as CSV."
    ),
    "not_a_table": _(
        "This file is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file."
    ),
    "encoding": _("The text of this file could not be read as UTF-8 or Windows-1251."),
    "no_header": _("The first row must hold the column headers; it is empty."),
    "too_many_rows": _(
        "The file has more than %(limit)s rows: split it into several files. Nothing was imported."
    ),
    "no_programme": _("You are not attached to any programme."),
    "no_rows": _("The file has headers but no rows."),
    # Headers
    "unknown_header": _("Unknown column header “%(header)s”."),
    "repeated_header": _("The column “%(header)s” appears twice."),
    "missing_header": _("The required column “%(name)s” is missing."),
    "merged": _("Cells %(range)s are merged: unmerge them and fill in every cell."),
    # Cells
    "required": _("This cell must be filled in."),
    "too_long": _("At most %(max)s characters."),
    "bad_number": _("“%(value)s” is not a whole number."),
    "bad_decimal": _("“%(value)s” is not a number."),
    "bad_date": _("“%(value)s” is not a date: write 2014-05-20, 20.05.2014 or 20/05/2014."),
    "ambiguous_date": _(
        "“%(value)s” was read as day %(day)s, month %(month)s; check it was not meant the other way "
        "round."
    ),
    "bad_choice": _("“%(value)s” is not one of the allowed values (%(allowed)s)."),
    "bad_pinfl": _("“%(value)s” is not a PINFL: a PINFL has exactly 14 digits."),
    "unknown_district": _("There is no district “%(value)s”."),
    "unknown_mahalla": _("There is no mahalla “%(value)s” in this district."),
    "unknown_service": _("There is no service “%(value)s” in the programme's catalogue."),
    "unknown_agency": _("There is no agency “%(value)s”."),
    "unknown_household": _("There is no household with the id “%(value)s” among yours."),
    "unknown_person": _("There is no person with the id “%(value)s” among yours."),
    "person_or_household": _("Give the person's id or the household's id, not both or neither."),
    "duplicate_row": _("This row repeats row %(first)s."),
    "duplicate_id": _("The id “%(value)s” was already used in row %(first)s."),
    "duplicate_pinfl": _("The same PINFL was already given in row %(first)s."),
    "id_taken": _("The id “%(value)s” is already used by a record you cannot see."),
    "possible_duplicate": _(
        "This person may already be registered (%(count)s possible match(es)); confirm they are a "
        "new person to import the row."
    ),
    "same_person_in_file": _(
        "This person looks like the one in row %(first)s (same name and date of birth)."
    ),
    "duplicate_unconfirmed": _(
        "This person may already be registered and was not confirmed as a new person."
    ),
    "rejected": _("Not saved: %(message)s"),
    "date_formats": _("Dates are written in %(count)s formats: %(formats)s."),
}

DATE_FORMATS: dict[str, Any] = {
    "excel": _("Excel dates"),
    "iso": _("year-month-day (2014-05-20)"),
    "dot": _("day.month.year (20.05.2014)"),
    "slash": _("day/month/year (20/05/2014)"),
}


# The warnings of a row listed as a possible duplicate, which its confirmation answers.
LIKENESS_CODES = ("possible_duplicate", "same_person_in_file")


@dataclass
class Problem:
    row: int  # 0: the file as a whole; 1: the header row
    column: str  # the column letter, or ""
    field: str  # the column key, or ""
    code: str
    level: str = "error"  # "error" blocks the import; "warning" does not
    params: dict[str, Any] = field(default_factory=dict)


def problem_text(problem: dict[str, Any]) -> str:
    """The sentence for a problem of a report, in the active language."""
    template = MESSAGES.get(problem.get("code", ""), "%(code)s")
    params = dict(problem.get("params") or {})
    params.setdefault("code", problem.get("code", ""))
    if "formats" in params and isinstance(params["formats"], list):
        params["formats"] = "; ".join(
            f"{DATE_FORMATS.get(f['format'], f['format'])}: {', '.join(map(str, f['rows']))}"
            for f in params["formats"]
        )
    if problem.get("code") == "missing_header":
        params["name"] = column_label(problem.get("type", ""), str(params.get("name", "")))
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def column_label(type_key: str, key: str) -> str:
    """A column's header in the active language (the key itself when unknown)."""
    kind = IMPORT_TYPES.get(type_key)
    if kind is None:
        return key
    for column in kind.columns:
        if column.key == key:
            return str(column.label)
    return key


class Report:
    """What a dry run or a commit found. Problems beyond `limit` are counted, not kept."""

    def __init__(self, type_key: str, limit: int) -> None:
        self.type = type_key
        self.limit = limit
        self.problems: list[Problem] = []
        self.errors = 0
        self.warnings = 0
        self.rows = 0
        self.new = 0
        self.existing = 0
        self.written = 0
        self.format = ""
        self.encoding = ""
        self.duplicates: list[dict[str, Any]] = []
        self.date_formats: dict[str, list[int]] = {}
        self.error_rows: set[int] = set()

    def add(
        self, row: int, column: str, field: str, code: str, level: str = "error", **params: Any
    ) -> None:
        if level == "error":
            self.errors += 1
            self.error_rows.add(row)
        else:
            self.warnings += 1
        if len(self.problems) < self.limit:
            self.problems.append(Problem(row, column, field, code, level, params))

    @classmethod
    def restore(cls, data: dict[str, Any], limit: int) -> Report:
        """A report as as_json kept it (a dry run's, which a commit from its plan goes on from)."""
        report = cls(str(data.get("type", "")), limit)
        for name in ("format", "encoding"):
            setattr(report, name, str(data.get(name, "")))
        for name in ("rows", "new", "existing", "written", "errors", "warnings"):
            setattr(report, name, int(data.get(name, 0)))
        report.problems = [
            Problem(p["row"], p["column"], p["field"], p["code"], p["level"], dict(p["params"]))
            for p in data.get("problems", [])
        ]
        report.duplicates = list(data.get("duplicates", []))
        return report

    def confirmed(self, row: int, warnings: int) -> None:
        """A row listed as a possible duplicate that the user confirmed as a new person: what a
        commit reports for it (no longer listed, its warnings about likeness gone, new)."""
        self.new += 1
        self.warnings -= warnings
        self.problems = [
            p for p in self.problems if not (p.row == row and p.code in LIKENESS_CODES)
        ]
        self.duplicates = [d for d in self.duplicates if d.get("row") != row]

    def date_seen(self, fmt: str, row: int) -> None:
        rows = self.date_formats.setdefault(fmt, [])
        if len(rows) < 5:
            rows.append(row)

    def finish(self) -> None:
        if len(self.date_formats) > 1:
            formats = [{"format": f, "rows": rows} for f, rows in sorted(self.date_formats.items())]
            self.add(0, "", "", "date_formats", "warning", count=len(formats), formats=formats)

    @property
    def blocked(self) -> bool:
        return self.errors > 0

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "new": self.new,
            "existing": self.existing,
            "written": self.written,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [{**asdict(p), "type": self.type} for p in self.problems],
            "more_problems": max(0, self.errors + self.warnings - len(self.problems)),
            "duplicates": self.duplicates[: self.limit],
        }
