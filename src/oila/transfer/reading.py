"""Reading an uploaded register row by row, whatever it turns out to be.

The type is decided by content, never by the name: an XLSX is a zip holding `xl/workbook.xml`; a CSV
is text. Text is tried as UTF-8 with a byte-order mark, UTF-8, then Windows-1251 (what Excel in a
Cyrillic locale writes), and the report says which was used. Rows are streamed (openpyxl's read-only
mode, the csv module), so the size of a file never decides how much memory is used; a zip whose parts
would unpack to far more than the upload limit is refused before it is opened.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

# A zip may unpack to at most this many times the upload limit (XLSX compresses text about tenfold).
UNZIPPED_RATIO = 30
SNIFF_BYTES = 64 * 1024
ENCODINGS = ("utf-8-sig", "utf-8", "cp1251")


class FileProblem(Exception):
    """The file cannot be read as a register at all; `code` names why (see problems.MESSAGES)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Sheet:
    """An opened register: its format, its encoding (CSV), its header row and its merged cells."""

    format: str
    encoding: str = ""
    headers: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    rows: Iterator[tuple[int, list[Any]]] = field(default_factory=lambda: iter(()))
    _close: Any = None

    def close(self) -> None:
        if self._close is not None:
            self._close()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def open_sheet(path: Path, *, max_rows: int | None = None) -> Sheet:
    """Open a register for reading; raises FileProblem when it is not one."""
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("empty")
    limit = int(settings.OILA_IMPORT_MAX_BYTES)
    if size > limit:
        raise FileProblem("too_large", mb=round(limit / (1024 * 1024), 1))
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    cap = max_rows if max_rows is not None else int(settings.OILA_IMPORT_MAX_ROWS)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, cap)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("old_excel")
    if b"\x00" in head:
        raise FileProblem("not_a_table")
    return _open_csv(path, cap)


# ---------------------------------------------------------------------------------------------------
# XLSX


def _open_xlsx(path: Path, cap: int) -> Sheet:
    try:
        archive = zipfile.ZipFile(path)
        names = set(archive.namelist())
        unzipped = sum(info.file_size for info in archive.infolist())
        archive.close()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem("not_a_table") from exc
    if "xl/workbook.xml" not in names:
        raise FileProblem("not_a_table")
    if unzipped > UNZIPPED_RATIO * int(settings.OILA_IMPORT_MAX_BYTES):
        raise FileProblem("not_a_table")
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl judges a path by its extension, and ours have none.
    handle = open(path, "rb")  # noqa: SIM115 (closed by Sheet.close)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        handle.close()
        raise FileProblem("not_a_table") from exc

    def close() -> None:
        book.close()
        handle.close()

    merged = _merged_ranges(path, getattr(sheet, "_worksheet_path", ""))
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values, None)
    except Exception as exc:
        close()
        raise FileProblem("not_a_table") from exc
    if first is None or not any(_clean(v) is not None for v in first):
        close()
        raise FileProblem("no_header")
    headers = [str(_clean(v) or "") for v in first]
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(values, start=2):
                if number - 1 > cap:
                    raise FileProblem("too_many_rows", limit=cap)
                yield number, [_clean(v) for v in row]
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem("not_a_table") from exc

    return Sheet("xlsx", "", headers, merged, rows(), close)


_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?)\""
)


def _merged_ranges(path: Path, sheet_path: str) -> list[str]:
    """The merged ranges of a sheet ("B5:B6"), which read-only mode does not give.

    Found by scanning the sheet's XML in chunks for its `<mergeCell ref="…">` elements: no XML
    parser (so no entity expansion), constant memory, and fast over a sheet of 100 000 rows.
    """
    if not sheet_path:
        return []
    ranges: list[str] = []
    tail = b""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(sheet_path.lstrip("/")) as xml:
            while chunk := xml.read(1 << 20):
                data = tail + chunk
                end = 0
                for match in _MERGE.finditer(data):
                    ranges.append(match.group(1).decode("ascii"))
                    end = match.end()
                # Keep the end of the chunk that may hold the start of an element cut in two.
                tail = data[max(end, len(data) - 200) :]
    except (KeyError, zipfile.BadZipFile, OSError):
        return ranges
    return ranges


# ---------------------------------------------------------------------------------------------------
# CSV


def _encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        with open(path, "rb") as handle:
            decoder = codecs.getincrementaldecoder("cp1251")()
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
        return "cp1251"
    except UnicodeDecodeError as exc:
        raise FileProblem("encoding") from exc


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _open_csv(path: Path, cap: int) -> Sheet:
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    encoding = _encoding(path, head)
    sample = head.decode(encoding, errors="ignore")
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 100):
        raise FileProblem("not_a_table")
    first_line = sample.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    text = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by Sheet.close)
    csv.field_size_limit(64 * 1024)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        text.close()
        raise FileProblem("not_a_table") from exc
    if first is None or not any(_clean(v) for v in first):
        text.close()
        raise FileProblem("no_header")
    headers = [str(_clean(v) or "") for v in first]
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(reader, start=2):
                if number - 1 > cap:
                    raise FileProblem("too_many_rows", limit=cap)
                yield number, [_clean(v) for v in row]
        except csv.Error as exc:
            raise FileProblem("not_a_table") from exc

    return Sheet("csv", encoding, headers, [], rows(), text.close)
