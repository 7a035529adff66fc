"""Registers as the tests upload them: XLSX and CSV files built in the test, with planted errors."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

HOUSEHOLD_HEADERS = [
    "Household id", "Family name of the household", "District", "Mahalla", "Address",
    "Head's person id", "Given name (head)", "Family name (head)", "Sex (head)",
    "Date of birth (head)",
]  # fmt: skip
PEOPLE_HEADERS = [
    "Person id", "Household id", "Relationship to the head", "Given name", "Family name",
    "Sex", "Date of birth", "PINFL",
]  # fmt: skip


def xlsx(rows: list[list[Any]], merge: str = "") -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def pinfl(n: int) -> str:
    """A well-formed, made-up PINFL (14 digits)."""
    return f"3{n:013d}"
