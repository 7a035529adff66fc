"""REST API v1 for instruments and assessments: who may and who may not, bad input, audit, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from oila.assessments.models import Assessment, Instrument, Score
from oila.audit.models import AuditEvent
from oila.common.dates import today
from tests.assessments.factories import csi_scores, instrument, open_case, record
from tests.base import OilaTestCase, with_audit

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
INSTRUMENTS = "/api/v1/instruments/"
ASSESSMENTS = "/api/v1/assessments/"


class ApiTestCase(OilaTestCase):
    client_class = APIClient

    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.case = open_case(self.alice, self.household)

    def as_(self, user: Any) -> APIClient:
        self.client.force_authenticate(user)
        return self.client  # type: ignore[return-value]

    def body(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "case": str(self.case.pk),
            "instrument": str(instrument("csi").pk),
            "subject": str(self.child.pk),
            "assessed_on": today().isoformat(),
            "notes": "Seen at home.",
            "scores": [
                {"item": code, "value": value} for code, value in csi_scores(3, **{"1A": 1}).items()
            ],
        }
        data.update(overrides)
        return data


class InstrumentApiTests(ApiTestCase):
    def test_it_lists_the_instruments_in_use_to_any_signed_in_user(self) -> None:
        for user in self.everyone:
            with self.subTest(user=user.username):
                response = self.as_(user).get(INSTRUMENTS)
                self.assertEqual(response.status_code, 200)
                codes = {row["code"] for row in response.json()["results"]}
                self.assertEqual(codes, {"csi", "family-economy", "youth-employability"})

    def test_the_list_pins_its_queries(self) -> None:
        with self.assertNumQueries(2):  # count, page
            response = self.as_(self.alice).get(INSTRUMENTS)
        self.assertEqual(response.json()["count"], 3)

    def test_it_refuses_anonymous_clients(self) -> None:
        self.assertEqual(self.client.get(INSTRUMENTS).status_code, 401)

    def test_it_gives_items_scales_and_guidance_in_every_language(self) -> None:
        csi = Instrument.objects.get(code="csi")
        with self.assertNumQueries(3):
            response = self.as_(self.erin).get(f"{INSTRUMENTS}{csi.pk}/")
        body = response.json()
        self.assertEqual(body["name"], "Child Status Index")
        item = body["items"][0]
        self.assertEqual(
            (item["code"], item["label"], item["labels"]["ru"]),
            ("1A", "Food security", "Продовольственная обеспеченность"),
        )
        self.assertEqual([lv["value"] for lv in item["levels"]], [4, 3, 2, 1])
        self.assertEqual(
            item["levels"][3]["guidance"], "Rarely has food; often goes to bed hungry."
        )
        self.assertIn("uz-cyrl", item["levels"][3]["guidances"])


class AssessmentApiTests(ApiTestCase):
    def test_it_records_an_assessment_with_its_scores(self) -> None:
        response = self.as_(self.alice).post(ASSESSMENTS, self.body(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["subject"]["id"], str(self.child.pk))
        self.assertEqual(body["notes"], "Seen at home.")
        self.assertEqual({s["item"]: s["value"] for s in body["scores"]}["1A"], 1)
        self.assertEqual(response["Location"], f"{ASSESSMENTS}{body['id']}/")
        self.assertEqual(Score.objects.count(), 12)

    def assert_bad(self, body: dict[str, Any], field: str, message: str) -> None:
        before = Assessment.objects.count(), Score.objects.count(), AuditEvent.objects.count()
        response = self.as_(self.alice).post(ASSESSMENTS, body, format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(message, str(response.json()[field]))
        self.assertEqual(
            before, (Assessment.objects.count(), Score.objects.count(), AuditEvent.objects.count())
        )

    def test_it_refuses_bad_input_naming_the_problem_and_saving_nothing(self) -> None:
        scores = [{"item": c, "value": v} for c, v in csi_scores().items()]
        self.assert_bad(
            self.body(scores=scores[:-1]), "scores", "6B Education and work: not scored."
        )
        self.assert_bad(
            self.body(scores=[*scores[:-1], {"item": "6B", "value": 9}]),
            "scores",
            "9 is not on the scale",
        )
        self.assert_bad(
            self.body(scores=[*scores, {"item": "1A", "value": 2}]),
            "scores",
            "scored more than once",
        )
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        self.assert_bad(self.body(assessed_on=tomorrow), "assessed_on", "cannot be in the future")
        self.assert_bad(
            self.body(instrument=str(self.case.pk)), "instrument", "No instrument with this id."
        )
        stranger = self.other_team_household().memberships.get().person
        self.assert_bad(self.body(subject=str(stranger.pk)), "subject", "Not one of the people")

    def test_outsiders_get_404_and_nothing_is_saved(self) -> None:
        assessment = record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=200)
        )
        for name in OUTSIDERS:
            client = self.as_(getattr(self, name))
            with self.subTest(user=name):
                # creating: a case role gets 404 for a case it does not see; the other roles are
                # refused (403) before their body is read
                created = client.post(ASSESSMENTS, self.body(), format="json").status_code
                self.assertEqual(created, 404 if name == "carol" else 403)
                self.assertEqual(client.get(ASSESSMENTS, {"case": self.case.pk}).status_code, 404)
                self.assertEqual(client.get(f"{ASSESSMENTS}{assessment.pk}/").status_code, 404)
        self.assertEqual(Assessment.objects.count(), 1)

    def test_the_list_needs_a_case_and_pins_its_queries(self) -> None:
        self.assertEqual(self.as_(self.alice).get(ASSESSMENTS).status_code, 400)
        record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=400)
        )
        self.as_(self.alice).get(ASSESSMENTS, {"case": self.case.pk})  # caches alice's team
        # case, audit (savepoint, last event, insert, release), count, assessments, scores
        with self.assertNumQueries(with_audit(8)):
            self.as_(self.alice).get(ASSESSMENTS, {"case": self.case.pk})
        record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=200)
        )
        record(self.alice, self.case, code="family-economy")
        with self.assertNumQueries(with_audit(8)):
            response = self.as_(self.alice).get(ASSESSMENTS, {"case": self.case.pk})
        rows = response.json()["results"]
        self.assertEqual(len(rows), 3)
        self.assertNotIn("notes", rows[0])

    def test_reads_are_audited(self) -> None:
        assessment = record(self.alice, self.case, subject=self.child)
        self.as_(self.bob).get(ASSESSMENTS, {"case": self.case.pk})
        self.as_(self.frank).get(f"{ASSESSMENTS}{assessment.pk}/")
        reads = AuditEvent.objects.filter(kind="read").order_by("seq")
        self.assertEqual(
            [(e.actor_username, e.action) for e in reads],
            [("bob", "case.assessments.view"), ("frank", "assessment.view")],
        )

    def test_a_supervisor_reassesses_early_with_a_reason(self) -> None:
        record(
            self.alice, self.case, subject=self.child, assessed_on=today() - dt.timedelta(days=10)
        )
        response = self.as_(self.alice).post(
            ASSESSMENTS, self.body(early_reason="Crisis"), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Only a supervisor", str(response.json()))
        response = self.as_(self.bob).post(
            ASSESSMENTS, self.body(early_reason="Crisis"), format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["early_reason"], "Crisis")
