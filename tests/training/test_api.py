"""REST API v1 for capacity building: events, participants, results, specialists; who may and who
may not; bad input saves nothing; reads audited; query counts."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from oila.training import services
from oila.training.models import Specialist, TrainingEvent, TrainingParticipation
from tests.base import OilaTestCase, with_audit
from tests.training.factories import event, other_programme, specialist

EVENTS = "/api/v1/training/events/"
SPECIALISTS = "/api/v1/training/specialists/"
NO_ACCESS = ("dave", "erin", "grace", "heidi")


class TrainingApiTestCase(OilaTestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.malika = specialist(cls.frank, cls.partner_org)
        cls.event = event(cls.frank)
        cls.detail = f"{EVENTS}{cls.event.pk}/"

    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def as_(self, user: Any) -> APIClient:
        self.client.force_authenticate(user)
        return self.client  # type: ignore[return-value]


class EventApiTests(TrainingApiTestCase):
    def test_it_creates_an_event_invites_and_records_results(self) -> None:
        response = self.as_(self.alice).post(EVENTS, {
            "topic": "Gatekeeping", "starts_on": "2025-02-03", "ends_on": "2025-02-04",
            "trainer": str(self.bob.pk), "venue": "Urganch",
        }, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        url = response["Location"]
        self.assertEqual(response.json()["trainer"], {"id": str(self.bob.pk), "name": "bob"})
        response = self.client.post(
            f"{url}participants/", {"people": [str(self.malika.pk)]}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["participants"][0]["person"]["name"], "Malika Rahimova")
        response = self.client.post(f"{url}results/", {"results": [
            {"person": str(self.malika.pk), "attended": True, "pre_score": 50, "post_score": 85,
             "certificate_number": "CB-1"},
        ]}, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 200, response.content)
        row = response.json()["participants"][0]
        self.assertEqual(
            (row["attended"], row["pre_score"], row["post_score"], row["certificate_issued_on"]),
            (True, 50, 85, "2025-02-04"),
        )
        self.assertEqual(row["organisation"]["name"], "School 12")

    def test_scores_outside_0_to_100_are_refused_and_nothing_saved(self) -> None:
        services.participants_add(actor=self.frank, event=self.event, people=[self.malika])
        response = self.as_(self.alice).post(f"{self.detail}results/", {"results": [
            {"person": str(self.malika.pk), "attended": True, "pre_score": 50, "post_score": 101},
        ]}, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(), {"results[0].post_score": ["A score is a percentage from 0 to 100."]}
        )
        self.assertFalse(TrainingParticipation.objects.filter(attended=True).exists())

    def test_a_stranger_to_the_event_is_refused(self) -> None:
        response = self.as_(self.alice).post(f"{self.detail}results/", {"results": [
            {"person": str(self.child.pk), "attended": True},
        ]}, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertIn("results[0].person", response.json())
        response = self.client.post(
            f"{self.detail}participants/", {"people": [str(self.child.pk)]}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["people"],
            [f"No specialist of this programme with the id {self.child.pk}."],
        )  # the child's name is not given away
        self.assertFalse(TrainingParticipation.objects.exists())

    def test_it_changes_an_event(self) -> None:
        response = self.as_(self.carol).patch(self.detail, {"venue": "Xiva"}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["venue"], "Xiva")
        response = self.client.patch(self.detail, {"ends_on": "2025-01-01"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.event.refresh_from_db()
        self.assertEqual(str(self.event.ends_on), "2025-04-16")

    def test_other_roles_and_programmes_get_404_and_empty_lists(self) -> None:
        _programme, ivan = other_programme(self.ngo)
        for user in [*(getattr(self, n) for n in NO_ACCESS), ivan]:
            with self.subTest(user=user.username):
                client = self.as_(user)
                self.assertEqual(client.get(self.detail).status_code, 404)
                self.assertEqual(client.patch(self.detail, {"venue": "x"}).status_code, 404)
                response = client.post(
                    f"{self.detail}participants/", {"people": [str(self.malika.pk)]}, format="json"
                )
                self.assertEqual(response.status_code, 404)
                self.assertEqual(client.get(EVENTS).json()["results"], [])
                self.assertEqual(client.get(f"{SPECIALISTS}{self.malika.pk}/").status_code, 404)
        for name in NO_ACCESS:
            with self.subTest(create=name):
                response = self.as_(getattr(self, name)).post(EVENTS, {
                    "topic": "x", "starts_on": "2025-01-01", "ends_on": "2025-01-01",
                    "trainer_name": "y",
                }, format="json")  # fmt: skip
                self.assertEqual(response.status_code, 403)
        self.assertEqual(TrainingEvent.objects.count(), 1)
        self.assertFalse(TrainingParticipation.objects.exists())

    def test_reads_are_audited_and_the_event_pins_its_query_count(self) -> None:
        for i in range(2):
            person = specialist(self.frank, self.partner_org, given_name=f"Ra{'no' * i}")
            services.participants_add(actor=self.frank, event=self.event, people=[person])
        self.as_(self.alice)
        # the event (its programme in a subquery), the read's audit event (savepoint, last event,
        # insert, release), the participants with where they work
        with self.assertNumQueries(with_audit(6)):
            self.client.get(self.detail)
        for i in range(3):
            person = specialist(self.frank, self.partner_org, given_name=f"Ka{'mo' * i}")
            services.participants_add(actor=self.frank, event=self.event, people=[person])
        with self.assertNumQueries(with_audit(6)):
            response = self.client.get(self.detail)
        self.assertEqual(len(response.json()["participants"]), 5)
        self.client.get(EVENTS)
        actions = list(AuditEvent.objects.filter(kind="read").values_list("action", flat=True))
        self.assertEqual(actions.count("training.event.view"), 2)
        self.assertEqual(actions.count("training.event.list"), 1)


class SpecialistApiTests(TrainingApiTestCase):
    def test_it_adds_a_specialist_and_lists_them(self) -> None:
        response = self.as_(self.bob).post(SPECIALISTS, {
            "given_name": "Gulnora", "family_name": "Saidova", "sex": "female",
            "organisation": str(self.partner_org.pk), "position": "teacher",
        }, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["organisation"]["name"], "School 12")
        names = [p["given_name"] for p in self.client.get(SPECIALISTS).json()["results"]]
        self.assertEqual(sorted(names), ["Gulnora", "Malika"])

    def test_it_sets_where_a_specialist_works(self) -> None:
        url = f"{SPECIALISTS}{self.malika.pk}/profile/"
        response = self.as_(self.alice).post(
            url, {"organisation": str(self.ngo.pk), "position": "trainer"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Specialist.objects.get(person=self.malika).position, "trainer")

    def test_a_beneficiary_is_not_a_specialist(self) -> None:
        url = f"{SPECIALISTS}{self.child.pk}/"
        self.assertEqual(self.as_(self.alice).get(url).status_code, 404)
