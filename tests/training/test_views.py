"""Training pages: who may see what (the programme's case roles; nobody else), the attendance and
scores form for a whole event, bad input, read audit and query counts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from oila.audit.models import AuditEvent
from oila.training import services
from oila.training.models import Specialist, TrainingEvent, TrainingParticipation
from tests.base import with_audit
from tests.registry.test_views import EnglishPages
from tests.training.factories import event, other_programme, specialist

NO_ACCESS = ("dave", "erin", "grace", "heidi")
EVENTS = reverse("training:events")
SPECIALISTS = reverse("training:specialists")


class TrainingPagesTestCase(EnglishPages):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.malika = specialist(cls.frank, cls.partner_org)
        cls.event = event(cls.frank)
        cls.url = reverse("training:event", args=[cls.event.pk])
        cls.results = reverse("training:results", args=[cls.event.pk])

    def as_(self, user: Any) -> Any:
        self.client.force_login(user)
        return self.client


class VisibilityTests(TrainingPagesTestCase):
    def test_the_programmes_case_roles_see_and_edit_events_and_specialists(self) -> None:
        for user in (self.alice, self.bob, self.carol, self.frank):
            with self.subTest(user=user.username):
                client = self.as_(user)
                self.assertContains(client.get(EVENTS), "Case management basics")
                self.assertContains(client.get(self.url), "Case management basics")
                self.assertEqual(client.get(self.results).status_code, 200)
                self.assertContains(client.get(SPECIALISTS), "Malika Rahimova")

    def test_other_roles_and_other_programmes_get_404(self) -> None:
        _programme, ivan = other_programme(self.ngo)
        participation_remove = reverse(
            "training:participant-remove",
            args=[services.participants_add(actor=self.frank, event=self.event,
                                            people=[self.malika])[0].pk],
        )  # fmt: skip
        urls = [
            self.url,
            self.results,
            reverse("training:event-edit", args=[self.event.pk]),
            reverse("training:participants-add", args=[self.event.pk]),
            reverse("training:specialist", args=[self.malika.pk]),
        ]
        for name in NO_ACCESS:
            for url in [EVENTS, SPECIALISTS, reverse("training:event-new"), *urls]:
                with self.subTest(user=name, url=url):
                    self.assertEqual(self.as_(getattr(self, name)).get(url).status_code, 404)
        for url in urls:
            with self.subTest(user="ivan", url=url):
                self.assertEqual(self.as_(ivan).get(url).status_code, 404)
        self.assertNotContains(self.as_(ivan).get(EVENTS), "Case management basics")
        self.assertEqual(self.as_(self.dave).post(participation_remove).status_code, 404)
        self.assertEqual(TrainingParticipation.objects.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(action="training.event.view").exists())

    def test_reading_an_event_page_is_audited_once(self) -> None:
        self.as_(self.alice).get(self.url)
        read = AuditEvent.objects.get(action="training.event.view")
        self.assertEqual((read.kind, read.target_id), ("read", str(self.event.pk)))


class EventPageTests(TrainingPagesTestCase):
    def test_it_creates_an_event(self) -> None:
        response = self.as_(self.alice).post(reverse("training:event-new"), {
            "topic": "Child safeguarding", "starts_on": "2025-05-05", "ends_on": "2025-05-05",
            "trainer": self.bob.pk, "venue": "Xiva",
        })  # fmt: skip
        created = TrainingEvent.objects.get(topic="Child safeguarding")
        self.assertRedirects(response, created.get_absolute_url())
        self.assertEqual(created.trainer, self.bob)

    def test_it_refuses_an_event_that_ends_before_it_starts(self) -> None:
        response = self.as_(self.alice).post(reverse("training:event-new"), {
            "topic": "Child safeguarding", "starts_on": "2025-05-05", "ends_on": "2025-05-04",
            "trainer_name": "Guest",
        })  # fmt: skip
        self.assertContains(response, "cannot end before it starts", status_code=422)
        self.assertEqual(TrainingEvent.objects.count(), 1)

    def test_it_adds_specialists_as_participants(self) -> None:
        url = reverse("training:participants-add", args=[self.event.pk])
        self.assertContains(self.as_(self.alice).get(url), "Malika Rahimova (school psychologist")
        response = self.client.post(url, {"people": [self.malika.pk]})
        self.assertRedirects(response, self.url)
        self.assertContains(self.client.get(self.url), "Malika Rahimova")
        self.assertContains(self.client.get(url), "already taking part")

    def test_a_beneficiary_cannot_be_added(self) -> None:
        url = reverse("training:participants-add", args=[self.event.pk])
        response = self.as_(self.alice).post(url, {"people": [self.child.pk]})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(TrainingParticipation.objects.exists())

    def test_it_adds_a_specialist_and_where_they_work(self) -> None:
        response = self.as_(self.carol).post(reverse("training:specialist-new"), {
            "given_name": "Gulnora", "family_name": "Saidova", "sex": "female",
            "organisation": self.partner_org.pk, "position": "teacher",
            "enrolled_on": "2025-01-10",
        })  # fmt: skip
        self.assertRedirects(response, SPECIALISTS)
        profile = Specialist.objects.get(person__given_name="Gulnora")
        self.assertEqual(profile.person.memberships.count(), 0)
        url = reverse("training:specialist", args=[profile.person_id])
        response = self.client.post(url, {"organisation": self.ngo.pk, "position": "trainer"})
        self.assertRedirects(response, SPECIALISTS)
        profile.refresh_from_db()
        self.assertEqual(profile.organisation, self.ngo)

    def test_the_event_list_pins_its_query_count(self) -> None:
        self.as_(self.alice)
        # session, user+bell, count, the page of events with their counts (the programmes
        # are a subquery)
        with self.assertNumQueries(4):
            self.client.get(EVENTS)
        for i in range(4):
            created = event(self.frank, topic=f"Topic {i}")
            services.participants_add(actor=self.frank, event=created, people=[self.malika])
        with self.assertNumQueries(4):
            response = self.client.get(EVENTS)
        self.assertEqual(len(response.context["page"].object_list), 5)


class ResultsFormTests(TrainingPagesTestCase):
    def invite(self, n: int) -> list[TrainingParticipation]:
        people = [
            specialist(self.frank, self.partner_org, given_name=f"Ra{'na' * i}") for i in range(n)
        ]
        return services.participants_add(actor=self.frank, event=self.event, people=people)

    def data(self, rows: list[TrainingParticipation], **per_row: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"certificates_issued_on": "2025-04-16"}
        for i, p in enumerate(rows):
            data[f"{p.pk}.attended"] = "on"
            data[f"{p.pk}.pre_score"] = str(40 + i)
            data[f"{p.pk}.post_score"] = str(70 + i)
            data[f"{p.pk}.certificate_number"] = f"CB-{i:03}"
        data.update(per_row)
        return data

    def test_it_saves_attendance_and_scores_of_the_whole_event_in_one_post(self) -> None:
        rows = self.invite(3)
        response = self.as_(self.alice).post(self.results, self.data(rows))
        self.assertRedirects(response, self.url)
        saved = TrainingParticipation.objects.order_by("post_score")
        self.assertEqual(
            [(p.attended, p.pre_score, p.post_score, p.certificate_number) for p in saved],
            [(True, 40, 70, "CB-000"), (True, 41, 71, "CB-001"), (True, 42, 72, "CB-002")],
        )
        self.assertEqual(AuditEvent.objects.filter(action="training.results").count(), 1)

    def test_a_score_above_100_gets_a_clear_message_and_saves_nothing(self) -> None:
        rows = self.invite(2)
        data = self.data(rows, **{f"{rows[1].pk}.post_score": "101"})
        response = self.as_(self.alice).post(self.results, data)
        self.assertContains(response, "A score is a percentage from 0 to 100.", status_code=422)
        self.assertFalse(TrainingParticipation.objects.filter(attended=True).exists())

    def test_scores_without_attendance_are_refused_on_the_row(self) -> None:
        rows = self.invite(1)
        data = self.data(rows)
        del data[f"{rows[0].pk}.attended"]
        response = self.as_(self.alice).post(self.results, data)
        self.assertContains(response, "only for those who attended", status_code=422)
        self.assertFalse(TrainingParticipation.objects.filter(attended=True).exists())

    def test_the_form_pins_its_query_count_whatever_the_number_of_participants(self) -> None:
        rows = self.invite(2)
        self.as_(self.alice)
        # session, user, the event, the participants; the service: savepoint, may the user
        # manage the programme, one UPDATE for every row, the audit event (savepoint, last event,
        # insert, release), release
        with self.assertNumQueries(with_audit(12)):
            self.assertEqual(self.client.post(self.results, self.data(rows)).status_code, 302)
        rows += self.invite(5)
        with self.assertNumQueries(with_audit(12)):
            self.assertEqual(self.client.post(self.results, self.data(rows)).status_code, 302)
        self.assertEqual(TrainingParticipation.objects.filter(attended=True).count(), 7)


class TrainingPageRenderTests(TrainingPagesTestCase):
    def test_every_page_renders_for_a_caseworker_of_the_programme(self) -> None:
        services.participants_add(actor=self.frank, event=self.event, people=[self.malika])
        urls = [
            EVENTS,
            reverse("training:event-new"),
            self.url,
            reverse("training:event-edit", args=[self.event.pk]),
            reverse("training:participants-add", args=[self.event.pk]),
            self.results,
            SPECIALISTS,
            reverse("training:specialist-new"),
            reverse("training:specialist", args=[self.malika.pk]),
        ]
        self.as_(self.alice)
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertContains(
            self.client.get(self.results), f'name="{self.event.participations.get().pk}.post_score"'
        )

    def test_a_specialists_record_links_to_where_they_work(self) -> None:
        response = self.as_(self.frank).get(reverse("registry:person", args=[self.malika.pk]))
        self.assertContains(response, reverse("training:specialist", args=[self.malika.pk]))
