"""REST API v1 for youth employability: trainings, placements, follow-ups; who may and who may not;
bad input; reads and writes audited; query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from oila.youth.models import FollowUp, Placement, YouthTraining
from tests.base import OilaTestCase, with_audit
from tests.registry.test_views import register
from tests.youth.factories import organisations, placement, training, young_person
from tests.youth.test_follow_ups import at

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
TRAININGS = "/api/v1/youth/trainings/"
PLACEMENTS = "/api/v1/youth/placements/"
FOLLOW_UPS = "/api/v1/youth/follow-ups/"


class YouthApiTestCase(OilaTestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.centre, cls.employer = organisations()
        cls.jasur = young_person(cls.alice, cls.household)

    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def as_(self, user: Any) -> APIClient:
        self.client.force_authenticate(user)
        return self.client  # type: ignore[return-value]

    def counts(self) -> tuple[int, ...]:
        return (
            YouthTraining.objects.count(),
            Placement.objects.count(),
            FollowUp.objects.filter(done_on__isnull=False).count(),
        )


class YouthTrainingApiTests(YouthApiTestCase):
    def body(self, **overrides: Any) -> dict[str, Any]:
        return {
            "person": str(self.jasur.pk), "kind": "life_skills", "provider": str(self.centre.pk),
            "course": "Job interviews", "starts_on": "2025-02-01", **overrides,
        }  # fmt: skip

    def test_it_creates_completes_and_reads_a_training(self) -> None:
        response = self.as_(self.alice).post(TRAININGS, self.body(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["person"], {"id": str(self.jasur.pk), "name": "Jasur Karimov"})
        self.assertEqual(response["Location"], f"{TRAININGS}{body['id']}/")
        response = self.client.post(
            f"{TRAININGS}{body['id']}/complete/",
            {"completed_on": "2025-03-01", "certificate_number": "LS-9"},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["completed"], response.json()["certificate_issued_on"]),
            (True, "2025-03-01"),
        )
        self.assertEqual(self.client.get(f"{TRAININGS}{body['id']}/").status_code, 200)
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        self.assertTrue(
            {"youth.training.create", "youth.training.complete", "youth.training.view"} <= actions
        )

    def test_it_refuses_bad_input_and_saves_nothing(self) -> None:
        cases = {
            "too old": ({"starts_on": "2030-07-01"}, "starts_on", "is 25 years old"),
            "not a young person": ({"person": str(self.child.pk)}, None, None),
            "an employer as provider": (
                {"provider": str(self.employer.pk)}, "provider", "training centre"
            ),
            "no such provider": (
                {"provider": str(self.household.pk)}, "provider", "No organisation"
            ),
        }  # fmt: skip
        self.as_(self.alice)
        for label, (overrides, field, message) in cases.items():
            with self.subTest(label):
                response = self.client.post(TRAININGS, self.body(**overrides), format="json")
                if field is None:  # no youth enrolment: not a young person this API knows
                    self.assertEqual(response.status_code, 404)
                else:
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertIn(message, " ".join(response.json()[field]))
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_outsiders_get_404_on_alices_young_persons_records(self) -> None:
        course = training(self.alice, self.jasur, self.centre)
        for name in OUTSIDERS:
            with self.subTest(user=name):
                client = self.as_(getattr(self, name))
                self.assertEqual(client.get(f"{TRAININGS}{course.pk}/").status_code, 404)
                self.assertEqual(
                    client.get(TRAININGS, {"person": str(self.jasur.pk)}).status_code, 404
                )
                self.assertEqual(client.get(TRAININGS).json()["results"], [])
                response = client.post(
                    f"{TRAININGS}{course.pk}/complete/", {"completed_on": "2025-03-01"}
                )
                self.assertEqual(response.status_code, 404)
                response = client.post(TRAININGS, self.body(), format="json")
                self.assertIn(response.status_code, (403, 404))
        self.assertEqual(self.counts(), (1, 0, 0))


class PlacementApiTests(YouthApiTestCase):
    def body(self, **overrides: Any) -> dict[str, Any]:
        return {
            "person": str(self.jasur.pk), "kind": "employment", "employer": str(self.employer.pk),
            "position": "Seamstress", "starts_on": "2025-08-31", "contract_type": "seasonal",
            "monthly_wage_uzs": 2000000, **overrides,
        }  # fmt: skip

    def test_it_records_a_placement_with_its_follow_ups(self) -> None:
        response = self.as_(self.alice).post(PLACEMENTS, self.body(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["employer"]["name"], "Xorazm Tekstil")
        self.assertEqual(
            [(f["month"], f["due_on"]) for f in body["follow_ups"]],
            [(3, "2025-11-30"), (6, "2026-02-28"), (12, "2026-08-31")],
        )
        self.assertEqual(response["Location"], f"{PLACEMENTS}{body['id']}/")

    def test_a_negative_wage_is_refused_with_a_clear_message(self) -> None:
        response = self.as_(self.alice).post(
            PLACEMENTS, self.body(monthly_wage_uzs=-1), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(), {"monthly_wage_uzs": ["A monthly wage cannot be below zero."]}
        )
        self.assertEqual(self.counts(), (0, 0, 0))
        self.assertFalse(FollowUp.objects.exists())

    def test_it_refuses_other_bad_input(self) -> None:
        cases = {
            "employment without an employer": ({"employer": None}, "employer"),
            "self-employment with an employer": ({"kind": "self_employment"}, "employer"),
            "someone else's training": ({"training": str(self.jasur.pk)}, "training"),
        }
        self.as_(self.alice)
        for label, (overrides, field) in cases.items():
            with self.subTest(label):
                response = self.client.post(PLACEMENTS, self.body(**overrides), format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_outsiders_get_404(self) -> None:
        job = placement(self.alice, self.jasur, self.employer)
        for name in OUTSIDERS:
            with self.subTest(user=name):
                client = self.as_(getattr(self, name))
                self.assertEqual(client.get(f"{PLACEMENTS}{job.pk}/").status_code, 404)
                response = client.post(f"{PLACEMENTS}{job.pk}/end/", {"ended_on": "2025-05-01"})
                self.assertEqual(response.status_code, 404)
                self.assertEqual(client.get(PLACEMENTS).json()["results"], [])

    def test_the_list_pins_its_query_count_and_audits_the_read(self) -> None:
        placement(self.alice, self.jasur, self.employer)
        self.as_(self.alice)
        # the read's audit event (savepoint, last event, insert, release), count, the page, the
        # follow-ups (the authenticated user arrives with her team loaded)
        with self.assertNumQueries(with_audit(7)):
            self.client.get(PLACEMENTS)
        for i in range(3):
            person = young_person(self.alice, register(self.alice, f"Oila {i}", self.urganch))
            placement(self.alice, person, None)
        with self.assertNumQueries(with_audit(7)):
            response = self.client.get(PLACEMENTS)
        self.assertEqual(response.json()["count"], 4)
        self.assertEqual(AuditEvent.objects.filter(action="youth.placement.list").count(), 2)


class FollowUpApiTests(YouthApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.job = placement(self.alice, self.jasur, self.employer)
        self.three = self.job.follow_ups.get(month=3)

    def test_it_records_a_follow_up(self) -> None:
        url = f"{FOLLOW_UPS}{self.three.pk}/record/"
        response = self.as_(self.alice).post(
            url,
            {"done_on": "2025-06-10", "still_working": True, "monthly_wage_uzs": 2700000,
             "note": "Happy at work."},
            format="json",
        )  # fmt: skip
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            {k: response.json()[k] for k in ("month", "done_on", "still_working", "note")},
            {"month": 3, "done_on": "2025-06-10", "still_working": True, "note": "Happy at work."},
        )

    def test_a_follow_up_before_the_placement_start_is_refused_and_nothing_saved(self) -> None:
        url = f"{FOLLOW_UPS}{self.three.pk}/record/"
        response = self.as_(self.alice).post(
            url, {"done_on": "2025-03-09", "still_working": True}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {"done_on": ["A follow-up cannot be before the placement started (2025-03-10)."]},
        )
        self.three.refresh_from_db()
        self.assertIsNone(self.three.done_on)

    def test_it_lists_follow_ups_by_due(self) -> None:
        self.as_(self.alice)
        everything = self.client.get(FOLLOW_UPS).json()
        self.assertEqual([f["month"] for f in everything["results"]], [3, 6, 12])
        self.assertNotIn("note", everything["results"][0])
        with at(dt.date(2025, 10, 1)):
            overdue = self.client.get(FOLLOW_UPS, {"due": "overdue"}).json()["results"]
            week = self.client.get(FOLLOW_UPS, {"due": "week"}).json()["results"]
        self.assertEqual(([f["month"] for f in overdue], week), ([3, 6], []))
        self.assertEqual(self.client.get(FOLLOW_UPS, {"due": "bad"}).status_code, 400)

    def test_outsiders_get_404(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                client = self.as_(getattr(self, name))
                self.assertEqual(client.get(f"{FOLLOW_UPS}{self.three.pk}/").status_code, 404)
                response = client.post(
                    f"{FOLLOW_UPS}{self.three.pk}/record/",
                    {"done_on": "2025-06-10", "still_working": True},
                    format="json",
                )
                self.assertEqual(response.status_code, 404)
                self.assertEqual(client.get(FOLLOW_UPS).json()["results"], [])
        self.assertFalse(FollowUp.objects.filter(done_on__isnull=False).exists())
