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
import pickle  # nosec B403  # only what our own child process sends (_rows_elsewhere)
import re
import subprocess  # nosec B404  # our own module, run with this interpreter, no shell
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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
    # A file object, not the path: openpyxl judges a path by its extension, and ours have none.
    handle = open(path, "rb")  # noqa: SIM115 (closed by Sheet.close)
    try:
        book = _Book.open(handle)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        handle.close()
        raise FileProblem("not_a_table") from exc

    def close() -> None:
        book.archive.close()
        handle.close()

    merged = _merged_ranges(path, book.sheet_path)
    values = _values(book)
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

    body: Iterator[list[Any]] = (
        _rows_elsewhere(path)
        if path.stat().st_size >= ELSEWHERE_BYTES
        else ([_clean(v) for v in row] for row in values)
    )

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, row in enumerate(body, start=2):
                if number - 1 > cap:
                    raise FileProblem("too_many_rows", limit=cap)
                yield number, row
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem("not_a_table") from exc
        finally:
            body.close()  # type: ignore[attr-defined]  # a generator: stops the child

    return Sheet("xlsx", "", headers, merged, rows(), close)


# A workbook at least this large has its rows read by a second process, on the other core, while
# this one checks them: reading the sheet's XML is about a fifth of a dry run's time.
ELSEWHERE_BYTES = 1024 * 1024
_BATCH = 1000


def _rows_elsewhere(path: Path) -> Iterator[list[Any]]:
    """The sheet's rows after the headers, each cleaned: what `_values` gives, read by a child
    process (`python -m oila.transfer.reading PATH`) that sends them in pickled batches. The child
    only saves time: when it cannot start, or stops or fails at some row, this process reads on
    from that row itself (and meets any damage in the file itself)."""
    sent = 0
    try:
        child = subprocess.Popen(  # noqa: S603  # nosec B603  # an argument list, no shell
            [sys.executable, "-m", "oila.transfer.reading", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        child = None
    if child is not None:
        assert child.stdout is not None
        try:
            while True:
                try:
                    batch = pickle.load(child.stdout)  # noqa: S301  # nosec B301  # our child's
                except Exception:  # it stopped half-way (or never started): read on here
                    break
                if batch is None:
                    return
                yield from batch
                sent += len(batch)
        finally:
            child.stdout.close()
            if child.poll() is None:
                child.kill()
            child.wait()
    for index, row in enumerate(_rows_here(path)):
        if index >= sent:
            yield row


def _rows_here(path: Path) -> Iterator[list[Any]]:
    with open(path, "rb") as handle:
        book = _Book.open(handle)
        try:
            values = _values(book)
            next(values, None)  # the headers
            for row in values:
                yield [_clean(v) for v in row]
        finally:
            book.archive.close()


def _send_rows(path: str) -> None:
    """The child's side of _rows_elsewhere: the rows in batches, then None."""
    out = sys.stdout.buffer
    try:
        batch: list[list[Any]] = []
        for row in _rows_here(Path(path)):
            batch.append(row)
            if len(batch) >= _BATCH:
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        if batch:
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
        out.flush()
    except BrokenPipeError:  # the reader stopped early (too many rows, an error of its own)
        return
    # Any other error ends the child without the final None: the parent reads on by itself.


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}v"
_INLINE, _TEXT, _RUN = f"{_MAIN}is", f"{_MAIN}t", f"{_MAIN}r"


def _column_number(ref: str) -> int:
    """ "C7" → 3."""
    number = 0
    for char in ref:
        if char.isdigit():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


def _inline(cell: Any) -> str | None:
    """An inline string's text: its own `<t>` and its runs' (not phonetic guides), as openpyxl."""
    for child in cell:
        if child.tag != _INLINE:
            continue
        parts = []
        for part in child:
            if part.tag == _TEXT:
                parts.append(part.text or "")
                break
        for part in child:
            if part.tag == _RUN:
                for text in part:
                    if text.tag == _TEXT:
                        parts.append(text.text or "")
                        break
        return "".join(parts)
    return None


@dataclass
class _Book:
    """What reading a workbook's first worksheet needs: the zip, the sheet's part, the shared
    strings, which cell styles are dates (and durations), the date epoch and the sheet's stated size.

    Found with openpyxl's own readers for every part but the worksheets: openpyxl's read-only mode
    would parse a whole sheet that states no size (`<dimension>`) just to learn it, at every open."""

    archive: zipfile.ZipFile
    sheet_path: str
    strings: list[str]
    dates: set[int]
    deltas: set[int]
    epoch: Any
    max_row: int | None
    max_col: int | None

    @classmethod
    def open(cls, handle: IO[bytes]) -> _Book:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        reader = ExcelReader(handle, read_only=True, data_only=True)
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            valid = set(reader.valid_files)
            # The first worksheet, as openpyxl's `worksheets[0]`: chart sheets and missing parts skipped.
            targets = [
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in valid and "chartsheet" not in rel.Type
            ]
            sheet_path = targets[0]
            size = _dimension(reader.archive, sheet_path)
            max_col, max_row = (size[2], size[3]) if size else (None, None)
        except Exception:
            reader.archive.close()
            raise
        book = reader.wb
        return cls(
            reader.archive, sheet_path, reader.shared_strings, book._date_formats,
            book._timedelta_formats, book.epoch, max_row, max_col,
        )  # fmt: skip


_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s[^>]*?ref=[\"']([A-Z]{1,3}[0-9]{0,7}(?::[A-Z]{1,3}[0-9]{0,7})?)[\"']"
)
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s/>]")


def _dimension(archive: zipfile.ZipFile, sheet_path: str) -> tuple[Any, ...] | None:
    """The size a sheet states (`<dimension ref="A1:I100001">`, before its data), as openpyxl reads
    it: (min column, min row, max column, max row); None when the sheet states none."""
    from openpyxl.utils.cell import range_boundaries

    head = b""
    with archive.open(sheet_path) as xml:
        while chunk := xml.read(64 * 1024):
            head += chunk
            data = _SHEET_DATA.search(head)
            if data is not None:
                head = head[: data.start()]
                break
            if len(head) > 4 * 1024 * 1024:
                break
    found = _DIMENSION.search(head)
    if found is None:
        return None
    return tuple(range_boundaries(found.group(1).decode("ascii")))


def xlsx_rows(path: Path) -> int:
    """The rows an XLSX's first sheet states it has, header row included (0 when it states none)."""
    with open(path, "rb") as handle:
        book = _Book.open(handle)
        book.archive.close()
    return int(book.max_row or 0)


def _values(book: _Book) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as tuples of values: what openpyxl's read-only `iter_rows(values_only=True)`
    gives (the workbook's shared strings, date formats and epoch; missing rows and cells as None),
    read with lxml's iterparse in a tight loop, several times faster than openpyxl's cell parser."""
    from lxml import etree
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    strings, dates, deltas, epoch = book.strings, book.dates, book.deltas, book.epoch
    max_row, max_col = book.max_row, book.max_col
    empty: Any = (None,) * max_col if max_col else []
    counter = 1
    numbers: dict[str, int] = {}
    with book.archive.open(book.sheet_path) as source:
        parser = etree.iterparse(
            source, events=("end",), tag=_ROW, resolve_entities=False, no_network=True
        )
        for _event, row in parser:
            number = row.get("r")
            index = int(float(number)) if number else counter
            if max_row is not None and index > max_row:
                break
            while counter < index:
                counter += 1
                yield empty
            cells: list[tuple[int, Any]] = []
            column = 0
            for cell in row:
                if cell.tag != _CELL:
                    continue
                ref = cell.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    column = numbers.get(letters) or numbers.setdefault(
                        letters, _column_number(letters)
                    )
                else:
                    column += 1
                kind = cell.get("t", "n")
                value: Any = None
                if kind == "inlineStr":
                    value = _inline(cell)
                else:
                    for child in cell:
                        if child.tag == _VALUE:
                            value = child.text or None
                            break
                    if value is not None:
                        if kind == "n":
                            value = (
                                float(value)
                                if "." in value or "E" in value or "e" in value
                                else int(value)
                            )
                            style = int(cell.get("s") or 0)
                            if style in dates:
                                try:
                                    value = from_excel(value, epoch, timedelta=style in deltas)
                                except (OverflowError, ValueError):
                                    value = "#VALUE!"
                        elif kind == "s":
                            value = strings[int(value)]
                        elif kind == "b":
                            value = bool(int(value))
                        elif kind == "d":
                            value = from_ISO8601(value)
                cells.append((column, value))
            width = max_col or (cells[-1][0] if cells else 0)
            out = [None] * width
            for position, value in cells:
                if 1 <= position <= width:
                    out[position - 1] = value
            counter += 1
            yield tuple(out)
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]


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


if __name__ == "__main__":  # the child process of _rows_elsewhere
    _send_rows(sys.argv[1])
