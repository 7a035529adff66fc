"""The fast XLSX reader gives exactly what openpyxl's read-only mode gives, row for row."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import zipfile
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from django.test import SimpleTestCase
from openpyxl import Workbook, load_workbook

from oila.transfer.reading import FileProblem, _Book, _values, open_sheet, xlsx_rows


def _openpyxl_rows(path: Path) -> tuple[list[tuple[object, ...]], int | None]:
    with open(path, "rb") as handle:
        book = load_workbook(handle, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        size = sheet.max_row
        book.close()
    return rows, size


def _fast_rows(path: Path) -> list[tuple[object, ...]]:
    with open(path, "rb") as handle:
        book = _Book.open(handle)
        rows = [tuple(row) for row in _values(book)]
        book.archive.close()
    return rows


class FastReaderTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def _same(self, path: Path) -> list[tuple[object, ...]]:
        expected, size = _openpyxl_rows(path)
        self.assertEqual(_fast_rows(path), expected)
        self.assertEqual(xlsx_rows(path), size or 0)
        return expected

    def test_shared_strings_numbers_dates_booleans_gaps(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["name", "born", "count", "flag", "share"])
        sheet.append(["Ozoda", dt.date(2014, 3, 9), 3, True, 2.5])
        sheet.append(["Жасур", dt.datetime(2015, 1, 2, 0, 0), 1e20, False, "  x "])
        sheet["C6"] = "after a gap"
        sheet["H7"] = 12
        sheet["A8"] = dt.timedelta(hours=30)
        path = self.dir / "regular.xlsx"
        book.save(path)
        rows = self._same(path)
        self.assertEqual(rows[1][:2], ("Ozoda", dt.datetime(2014, 3, 9, 0, 0)))
        self.assertEqual(rows[3], (None,) * 8)
        self.assertEqual(xlsx_rows(path), 8)

    def test_write_only_inline_strings_without_dimension(self) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(["given_name", "birth_date"])
        sheet.append(["Ўғилой", dt.date(2019, 5, 6)])
        sheet.append([])
        sheet.append([None, 7])
        path = self.dir / "write-only.xlsx"
        book.save(path)
        rows = self._same(path)
        self.assertEqual(rows[1], ("Ўғилой", dt.datetime(2019, 5, 6, 0, 0)))
        self.assertEqual(xlsx_rows(path), 0)  # such a file states no size

    def test_rich_inline_strings_errors_and_cells_without_references(self) -> None:
        source = self.dir / "source.xlsx"
        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(["a", "b"])
        sheet.append(["x", 1])
        book.save(source)
        cells = (
            '<row r="3"><c t="inlineStr"><is><t>Ba</t><r><t>ho</t></r><r><t>dir</t></r></is></c>'
            '<c t="e"><v>#N/A</v></c><c t="str"><v>text</v></c><c t="b"><v>1</v></c>'
            "<c><v>12</v></c><c><v>1.5E3</v></c></row>"
        )
        target = self.dir / "edited.xlsx"
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
            for item in old.infolist():
                data = old.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"</sheetData>", cells.encode() + b"</sheetData>")
                new.writestr(item, data)
        rows = self._same(target)
        self.assertEqual(rows[2], ("Bahodir", "#N/A", "text", True, 12, 1500.0))

    def test_open_sheet_reads_headers_rows_and_merged_cells(self) -> None:
        book = Workbook()
        sheet = book.active
        sheet.append(["external_id", "given_name"])
        sheet.append(["P-1", " Dilnoza "])
        sheet.append(["P-2", "Aziz"])
        sheet.merge_cells("B2:B3")
        buffer = io.BytesIO()
        book.save(buffer)
        path = self.dir / "upload"
        path.write_bytes(buffer.getvalue())
        opened = open_sheet(path)
        try:
            self.assertEqual(opened.headers, ["external_id", "given_name"])
            self.assertEqual(opened.merged, ["B2:B3"])
            self.assertEqual(list(opened.rows), [(2, ["P-1", "Dilnoza"]), (3, ["P-2", None])])
        finally:
            opened.close()


class RowsElsewhereTests(SimpleTestCase):
    """A large workbook's rows are read by a child process: the same rows, the same problems."""

    def setUp(self) -> None:
        self.tmp = TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def _rows(self, path: Path, elsewhere: bool, **options: object) -> list[object]:
        from unittest import mock

        threshold = 0 if elsewhere else 10**12
        with mock.patch("oila.transfer.reading.ELSEWHERE_BYTES", threshold):
            sheet = open_sheet(path, **options)  # type: ignore[arg-type]
            try:
                return [sheet.headers, *sheet.rows]
            finally:
                sheet.close()

    def test_the_child_reads_what_this_process_reads(self) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.append(["external_id", "given_name", "birth_date", "n"])
        for n in range(2500):  # more than one batch
            sheet.append([f"P-{n}", f"  Ism {n} ", dt.datetime(2010, 1, 1) + dt.timedelta(days=n),
                          n if n % 3 else None])  # fmt: skip
        path = self.dir / "big.xlsx"
        book.save(path)
        here = self._rows(path, elsewhere=False)
        self.assertEqual(self._rows(path, elsewhere=True), here)
        self.assertEqual(here[1], (2, ["P-0", "Ism 0", dt.datetime(2010, 1, 1)]))
        with self.assertRaises(FileProblem) as raised:
            self._rows(path, elsewhere=True, max_rows=1000)
        self.assertEqual(raised.exception.code, "too_many_rows")

    def test_without_the_child_this_process_reads_on(self) -> None:
        from unittest import mock

        book = Workbook()
        book.active.append(["external_id"])
        for n in range(1500):
            book.active.append([f"P-{n}"])
        path = self.dir / "small.xlsx"
        book.save(path)
        here = self._rows(path, elsewhere=False)
        # A child that cannot run this module (an interpreter without oila, say) sends nothing.
        with mock.patch("oila.transfer.reading.sys.executable", "/bin/false"):
            self.assertEqual(self._rows(path, elsewhere=True), here)
        # One that stops after its first batch: the rest is read here.
        real, calls = pickle.load, []

        def one_batch(stream: Any) -> Any:
            calls.append(stream)
            if len(calls) > 1:
                raise EOFError
            return real(stream)

        with mock.patch("oila.transfer.reading.pickle.load", one_batch):
            self.assertEqual(self._rows(path, elsewhere=True), here)
        self.assertEqual(len(calls), 2)
