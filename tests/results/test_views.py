"""The results pages: who gets them, the framework editor's forms, and no personal data for the
M&E officer anywhere (pages, API, exports)."""

from __future__ import annotations

import io
import json
import zipfile

from django.db import connection
from pypdf import PdfReader

from oila.registry import services as registry
from oila.results.models import Indicator, Target
from tests.base import OilaTestCase
from tests.results.factories import YEAR, plant

PINFL = "31405209876543"
SECRETS = ("Malika", "Bobur", "Zarina", "Nilufar", "Sardor", "Shahnoza", "Karimov", "Xurshid",
           PINFL)  # fmt: skip


class ResultsPageTests(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.planted = plant(cls)
        registry.person_update(actor=cls.alice, person=cls.planted["c1"], data={"pinfl": PINFL})

    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def indicator(self, code: str) -> Indicator:
        return Indicator.objects.get(programme=self.programme, code=code)

    def test_it_shows_targets_against_actuals_to_the_me_officer(self) -> None:
        self.client.force_login(self.erin)
        response = self.client.get(f"/results/khorezm/?year={YEAR}")
        self.assertContains(response, "Children enrolled, per beneficiary group")
        self.assertContains(response, '<td class="num">3</td>', html=False)
        self.assertContains(response, '<td class="num">50.0 %</td>', html=False)
        self.assertContains(response, "Beneficiary status by quarter")
        self.assertNotContains(response, "style=")

    def test_an_indicator_page_shows_the_trend_and_breakdowns(self) -> None:
        self.client.force_login(self.frank)
        indicator = self.indicator("IND1.2")
        response = self.client.get(
            f"/results/khorezm/indicators/{indicator.pk}/?year={YEAR}&quarter=1"
        )
        self.assertContains(response, "2025-Q1: no data")
        self.assertContains(response, "<svg", count=7)  # the trend and six breakdowns
        self.assertNotContains(response, "style=")

    def test_roles_without_results_get_404(self) -> None:
        for user in (self.alice, self.bob, self.carol, self.dave, self.grace, self.heidi):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get("/results/").status_code, 404)
                self.assertEqual(self.client.get("/results/khorezm/").status_code, 404)
                self.assertEqual(
                    self.client.get("/api/v1/results/khorezm/indicators/").status_code, 404
                )

    def test_the_editor_refuses_a_bad_computation_with_its_message(self) -> None:
        self.client.force_login(self.erin)
        indicator = self.indicator("IND1.1")
        bad = {"numerator": {"source": "enrolments", "conditions": [
            {"field": "family_name", "op": "eq", "value": "Karimov"}]}}  # fmt: skip
        response = self.client.post(
            f"/results/khorezm/indicators/{indicator.pk}/edit/",
            {"outcome": indicator.outcome_id, "output": indicator.output_id or "", "code": "IND1.1",
             "name": "Renamed", "unit": "count", "definition": json.dumps(bad), "order": 1},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "“family_name” is not a field of enrolments", status_code=422)
        indicator.refresh_from_db()
        self.assertEqual(indicator.name, "Children enrolled, per beneficiary group")
        response = self.client.post(
            f"/results/khorezm/indicators/{indicator.pk}/edit/",
            {"outcome": indicator.outcome_id, "code": "IND1.1", "name": "Renamed", "unit": "count",
             "definition": "{not json", "order": 1},
        )  # fmt: skip
        self.assertContains(response, "This is not valid JSON", status_code=422)

    def test_the_editor_saves_a_target(self) -> None:
        self.client.force_login(self.frank)
        indicator = self.indicator("IND1.3")
        response = self.client.post(
            f"/results/khorezm/indicators/{indicator.pk}/targets/new/",
            {"year": 2030, "quarter": 2, "value": "12", "note": "agreed with the donor"},
        )
        self.assertRedirects(response, indicator.get_absolute_url(), fetch_redirect_response=False)
        target = Target.objects.get(indicator=indicator, year=2030, quarter=2)
        self.assertEqual(str(target.value), "12.00")
        response = self.client.post(f"/results/khorezm/targets/{target.pk}/delete/")
        self.assertFalse(Target.objects.filter(pk=target.pk).exists())

    def test_the_me_officer_sees_no_personal_data_anywhere(self) -> None:
        self.client.force_login(self.erin)
        urls = [
            "/results/khorezm/",
            f"/results/khorezm/?year={YEAR}",
            "/results/khorezm/framework/",
            "/results/khorezm/indicators/new/",
            f"/api/v1/results/khorezm/indicators/?year={YEAR}",
        ]
        for indicator in Indicator.objects.filter(programme=self.programme):
            urls += [f"/results/khorezm/indicators/{indicator.pk}/?year={YEAR}",
                     f"/results/khorezm/indicators/{indicator.pk}/edit/"]  # fmt: skip
        bodies = {}
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            bodies[url] = response.content.decode()
        xlsx = self.client.get(f"/results/khorezm/export/xlsx/?year={YEAR}").content
        with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
            bodies["xlsx"] = "".join(book.read(n).decode() for n in book.namelist())
        pdf = self.client.get(f"/results/khorezm/export/pdf/?year={YEAR}").content
        bodies["pdf"] = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        bodies["iati"] = self.client.get(
            f"/results/khorezm/export/iati/?year={YEAR}"
        ).content.decode()
        self.assertIn("Urganch", bodies["pdf"])  # the reports did come out
        api = json.loads(bodies[f"/api/v1/results/khorezm/indicators/?year={YEAR}"])
        self.assertEqual(api[0]["total"], {"key": None, "label": "total", "numerator": 3,
                                           "denominator": None, "value": 3.0})  # fmt: skip
        leaks = [(where, s) for where, body in bodies.items() for s in SECRETS if s in body]
        self.assertEqual(leaks, [])


class ResultsQueryCountTests(OilaTestCase):
    """One query per indicator (the engine's), whatever the number of records."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.planted = plant(cls)

    def test_the_dashboard_and_the_api_make_one_query_per_indicator(self) -> None:
        self.client.force_login(self.erin)
        self.client.get(f"/api/v1/results/khorezm/indicators/?year={YEAR}")  # warm up
        # session, user, programme, outcomes, outputs, indicators, targets; seven indicators;
        # the beneficiary status (one query for all quarters); the bell comes with the user
        with self.assertNumQueries(6 + 7 + 1 + 1):
            self.client.get(f"/results/khorezm/?year={YEAR}")
        # On PostgreSQL each grouped query runs in its own transaction (SET LOCAL work_mem).
        per_indicator = 4 if connection.vendor == "postgresql" else 1
        with self.assertNumQueries(5 + 7 * per_indicator):
            self.client.get(f"/api/v1/results/khorezm/indicators/?year={YEAR}")

    def test_editing_a_target_moves_it_without_a_copy(self) -> None:
        self.client.force_login(self.erin)
        indicator = Indicator.objects.get(programme=self.programme, code="IND1.3")
        target = indicator.targets.filter(quarter=1).first()
        response = self.client.post(
            f"/results/khorezm/targets/{target.pk}/edit/",
            {"year": target.year, "quarter": 2, "value": "7", "note": ""},
        )
        self.assertEqual(response.status_code, 422)  # Q2 has its own target already
        self.assertContains(response, "already exists", status_code=422)
        response = self.client.post(
            f"/results/khorezm/targets/{target.pk}/edit/",
            {"year": 2031, "quarter": "", "value": "7", "note": ""},
        )
        self.assertEqual(response.status_code, 302)
        target.refresh_from_db()
        self.assertEqual((target.year, target.quarter, str(target.value)), (2031, None, "7.00"))
        self.assertEqual(indicator.targets.filter(year=2031).count(), 1)
