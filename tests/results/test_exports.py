"""Donor reports: the XLSX's sheets, the PDF's text in both scripts, the IATI XML against the
official 2.03 schema, and the same bytes from the web page and the command line."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader

from oila.audit.models import AuditEvent
from oila.results import exports
from tests.base import OilaTestCase
from tests.results.factories import YEAR, plant

SCHEMA = Path(__file__).parent / "iati" / "iati-activities-schema.xsd"


class ExportTests(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.planted = plant(cls)

    def export(self, fmt: str) -> bytes:
        return exports.export(programme=self.programme, fmt=fmt, year=YEAR, language="en")

    def test_it_writes_the_xlsx_sheets(self) -> None:
        book = load_workbook(io.BytesIO(self.export("xlsx")), read_only=True)
        self.assertEqual(
            book.sheetnames, ["Indicators", "Disaggregations", "Definitions", "Beneficiary status"]
        )
        rows = list(book["Indicators"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("Outcome", "Output", "Code", "Indicator"))
        by_code = {r[2]: r for r in rows[1:]}
        self.assertEqual(len(by_code), 7)
        self.assertEqual(by_code["IND1.1"][7:9], (396, 3))  # the year: demo target, actual
        self.assertEqual(by_code["IND1.2"][8], 50)  # 1 of 2 children: 50 %
        cells = list(book["Disaggregations"].iter_rows(values_only=True))
        self.assertIn(("IND1.1", "Children enrolled, per beneficiary group", str(YEAR), "sex",
                       "female", 2, None, 2), cells)  # fmt: skip
        self.assertIn(("IND1.2", "Assessed children whose CSI protection score improved", "2025-Q1",
                       "total", None, 0, 0, "no data"), cells)  # fmt: skip
        definitions = list(book["Definitions"].iter_rows(values_only=True))
        self.assertEqual(len(definitions), 8)
        status = list(book["Beneficiary status"].iter_rows(values_only=True))
        self.assertEqual(len(status), 5)

    def test_the_pdf_has_latin_and_cyrillic_place_names(self) -> None:
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(self.export("pdf"))).pages
        )
        for name in (
            "Хоразм",
            "Урганч тумани",
            "Боғот",
            "Urganch tumani",
            "Bogʻot tumani",
            "Xorazm",
        ):
            self.assertIn(name, text)
        self.assertIn("Children enrolled, per beneficiary group", text)

    def test_the_iati_xml_is_valid_against_the_official_schema(self) -> None:
        schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
        document = etree.fromstring(self.export("iati"))
        schema.assertValid(document)
        indicator = document.find(".//indicator")
        self.assertEqual(indicator.get("measure"), "1")
        results = document.findall(".//result")
        self.assertEqual(sorted({r.get("type") for r in results}), ["1", "2"])
        percentage = [i for i in document.iter("indicator") if i.get("measure") == "2"]
        self.assertEqual(len(percentage), 1)
        actual = percentage[0].find("period/actual")
        self.assertEqual(actual.get("value"), "50")  # the year's total
        dims = {(d.get("name"), d.get("value")) for d in document.iter("dimension")}
        self.assertIn(("sex", "female"), dims)
        self.assertIn(("district", "Urganch tumani"), dims)

    def test_the_command_line_and_the_web_page_give_the_same_bytes(self) -> None:
        self.client.force_login(self.erin)
        for fmt in ("xlsx", "pdf", "iati"):
            with self.subTest(fmt=fmt), tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"report.{fmt}"
                call_command("results", "export", "--programme", "khorezm", "--format", fmt,
                             "--output", str(path), "--year", str(YEAR), "--language", "en",
                             stdout=io.StringIO())  # fmt: skip
                response = self.client.get(
                    f"/results/khorezm/export/{fmt}/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="en"
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content, path.read_bytes())
        self.assertEqual(AuditEvent.objects.filter(action__startswith="results.export.").count(), 6)
