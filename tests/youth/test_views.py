"""Youth pages: who may see what, the forms (bad input saves nothing), read audit, query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from oila.audit.models import AuditEvent
from oila.youth.models import FollowUp, Placement, YouthTraining
from tests.base import with_audit
from tests.registry.test_views import EnglishPages, register
from tests.youth.factories import organisations, placement, training, young_person

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
LIST = reverse("youth:list")


class YouthPagesTestCase(EnglishPages):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.centre, cls.employer = organisations()
        cls.jasur = young_person(cls.alice, cls.household)
        cls.page = reverse("youth:person", args=[cls.jasur.pk])

    def as_(self, user: Any) -> Any:
        self.client.force_login(user)
        return self.client


class YouthListTests(YouthPagesTestCase):
    def test_it_lists_alices_young_people_with_their_status(self) -> None:
        training(self.alice, self.jasur, self.centre, starts_on=dt.date(2025, 1, 15))
        placement(self.alice, self.jasur, self.employer)
        response = self.as_(self.alice).get(LIST)
        self.assertContains(response, "Jasur Karimov")
        row = response.context["page"].object_list[0]
        self.assertEqual((row.in_training, row.placed), (True, True))
        self.assertEqual(row.next_follow_up_on, dt.date(2025, 6, 10))
        self.assertContains(response, "working")
        self.assertContains(response, "follow-up due")

    def test_it_finds_a_young_person_by_name_in_either_script(self) -> None:
        young_person(self.alice, self.household, given_name="Bekzod")
        for q in ("jasur", "Жасур"):
            with self.subTest(q=q):
                people = self.as_(self.alice).get(LIST, {"q": q}).context["page"].object_list
                self.assertEqual([p.given_name for p in people], ["Jasur"])

    def test_it_shows_the_supervisor_and_the_manager_and_hides_other_teams(self) -> None:
        for user in (self.bob, self.frank):
            with self.subTest(user=user.username):
                self.assertContains(self.as_(user).get(LIST), "Jasur Karimov")
        self.assertNotContains(self.as_(self.carol).get(LIST), "Jasur Karimov")

    def test_it_is_not_found_for_roles_that_do_not_work_with_cases(self) -> None:
        for name in ("dave", "erin", "grace", "heidi"):
            with self.subTest(user=name):
                self.assertEqual(self.as_(getattr(self, name)).get(LIST).status_code, 404)

    def test_its_query_count_does_not_grow_with_the_number_of_young_people(self) -> None:
        self.as_(self.alice)
        # session, user+team+programme+bell (visibility), count, the page of young people
        with self.assertNumQueries(4):
            self.client.get(LIST)
        for i in range(4):
            person = young_person(self.alice, register(self.alice, f"Oila {i}", self.urganch))
            training(self.alice, person, self.centre)
            placement(self.alice, person, None)
        with self.assertNumQueries(4):
            response = self.client.get(LIST)
        self.assertEqual(len(response.context["page"].object_list), 5)


class YouthPersonPageTests(YouthPagesTestCase):
    def test_it_shows_trainings_placements_and_follow_ups_and_audits_the_read(self) -> None:
        course = training(self.alice, self.jasur, self.centre)
        placement(self.alice, self.jasur, self.employer, training=course)
        reads = AuditEvent.objects.filter(action="youth.person.view")
        response = self.as_(self.alice).get(self.page)
        self.assertContains(response, "Tailoring")
        self.assertContains(response, "Seamstress")
        self.assertContains(response, "Xorazm Tekstil")
        self.assertContains(response, "3-month follow-up")
        self.assertContains(response, "12-month follow-up")
        self.assertEqual(reads.count(), 1)
        self.assertEqual(reads.get().target_id, str(self.jasur.pk))

    def test_it_is_not_found_for_anyone_outside_alices_scope(self) -> None:
        job = placement(self.alice, self.jasur, self.employer)
        urls = [
            self.page,
            reverse("youth:training-new", args=[self.jasur.pk]),
            reverse("youth:placement-new", args=[self.jasur.pk]),
            reverse("youth:placement-end", args=[job.pk]),
            reverse("youth:follow-up-record", args=[job.follow_ups.first().pk]),
        ]
        for name in OUTSIDERS:
            for url in urls:
                with self.subTest(user=name, url=url):
                    self.assertEqual(self.as_(getattr(self, name)).get(url).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action="youth.person.view").exists())

    def test_a_person_without_a_youth_enrolment_has_no_youth_page(self) -> None:
        url = reverse("youth:person", args=[self.child.pk])
        self.assertEqual(self.as_(self.alice).get(url).status_code, 404)

    def test_the_persons_record_links_to_it(self) -> None:
        response = self.as_(self.alice).get(reverse("registry:person", args=[self.jasur.pk]))
        self.assertContains(response, self.page, count=1)
        response = self.client.get(reverse("registry:person", args=[self.child.pk]))
        self.assertNotContains(response, "Training and work")

    def test_its_query_count_does_not_grow_with_the_records(self) -> None:
        placement(
            self.alice, self.jasur, None, training=training(self.alice, self.jasur, self.centre)
        )
        self.as_(self.alice)
        # session, user+team+programme+bell, the person, the read's audit event (savepoint, last
        # event, insert, release), trainings, placements, their follow-ups
        with self.assertNumQueries(with_audit(10)):
            self.client.get(self.page)
        for month in (1, 2, 3):
            course = training(self.alice, self.jasur, self.centre, course=f"Course {month}")
            placement(
                self.alice, self.jasur, None, starts_on=dt.date(2025, month, 1), training=course
            )
        with self.assertNumQueries(with_audit(10)):
            self.client.get(self.page)


class YouthFormTests(YouthPagesTestCase):
    def test_it_adds_a_training_and_completes_it(self) -> None:
        url = reverse("youth:training-new", args=[self.jasur.pk])
        response = self.as_(self.alice).post(url, {
            "kind": "vocational", "provider": self.centre.pk, "course": "Cooking",
            "starts_on": "2025-02-01", "ends_on": "2025-05-31",
        })  # fmt: skip
        self.assertRedirects(response, self.page)
        course = YouthTraining.objects.get()
        url = reverse("youth:training-complete", args=[course.pk])
        response = self.client.post(
            url, {"completed_on": "2025-05-31", "certificate_number": "C-7"}
        )
        self.assertRedirects(response, self.page)
        self.assertContains(self.client.get(self.page), "certificate C-7")

    def test_it_refuses_a_person_outside_15_to_24_with_a_message(self) -> None:
        url = reverse("youth:training-new", args=[self.jasur.pk])
        response = self.as_(self.alice).post(url, {
            "kind": "vocational", "provider": self.centre.pk, "course": "Cooking",
            "starts_on": "2030-07-01",
        })  # fmt: skip
        self.assertContains(response, "is 25 years old on 2030-07-01", status_code=422)
        self.assertContains(response, "Nothing was saved", status_code=422)
        self.assertFalse(YouthTraining.objects.exists())

    def placement_data(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "kind": "employment", "employer": self.employer.pk, "position": "Cook",
            "starts_on": "2025-04-01", "contract_type": "permanent", "monthly_wage_uzs": "3000000",
        }  # fmt: skip
        data.update(overrides)
        return data

    def test_it_records_work_and_schedules_its_follow_ups(self) -> None:
        url = reverse("youth:placement-new", args=[self.jasur.pk])
        response = self.as_(self.alice).post(url, self.placement_data())
        self.assertRedirects(response, self.page)
        job = Placement.objects.get()
        self.assertEqual(job.monthly_wage_uzs, 3_000_000)
        self.assertEqual(job.follow_ups.count(), 3)

    def test_a_negative_wage_gets_a_clear_message_and_saves_nothing(self) -> None:
        url = reverse("youth:placement-new", args=[self.jasur.pk])
        response = self.as_(self.alice).post(url, self.placement_data(monthly_wage_uzs="-100"))
        self.assertContains(response, "A monthly wage cannot be below zero.", status_code=422)
        self.assertFalse(Placement.objects.exists())
        self.assertFalse(FollowUp.objects.exists())

    def test_employment_without_an_employer_is_refused_on_the_field(self) -> None:
        url = reverse("youth:placement-new", args=[self.jasur.pk])
        response = self.as_(self.alice).post(url, self.placement_data(employer=""))
        self.assertContains(response, "Choose the employer", status_code=422)
        self.assertFalse(Placement.objects.exists())

    def test_a_follow_up_before_the_start_gets_a_clear_message_and_saves_nothing(self) -> None:
        job = placement(self.alice, self.jasur, self.employer)
        three = job.follow_ups.get(month=3)
        url = reverse("youth:follow-up-record", args=[three.pk])
        response = self.as_(self.alice).post(url, {"done_on": "2025-03-01", "still_working": "yes"})
        self.assertContains(
            response,
            "A follow-up cannot be before the placement started (2025-03-10).",
            status_code=422,
        )
        three.refresh_from_db()
        self.assertIsNone(three.done_on)
        response = self.client.post(
            url, {"done_on": "2025-06-12", "still_working": "no", "note": "Moved to Tashkent."}
        )
        self.assertRedirects(response, self.page)
        three.refresh_from_db()
        self.assertEqual((three.done_on, three.still_working), (dt.date(2025, 6, 12), False))
        self.assertContains(self.client.get(self.page), "no longer working")

    def test_it_records_the_end_of_a_placement(self) -> None:
        job = placement(self.alice, self.jasur, self.employer)
        url = reverse("youth:placement-end", args=[job.pk])
        self.assertRedirects(self.as_(self.alice).post(url, {"ended_on": "2025-08-01"}), self.page)
        job.refresh_from_db()
        self.assertEqual(job.ended_on, dt.date(2025, 8, 1))
        response = self.client.post(url, {"ended_on": "2025-08-02"})
        self.assertContains(response, "already ended", status_code=422)


class YouthPageRenderTests(YouthPagesTestCase):
    def test_every_page_renders_for_the_caseworker(self) -> None:
        course = training(self.alice, self.jasur, self.centre)
        job = placement(self.alice, self.jasur, self.employer, training=course)
        urls = [
            LIST,
            self.page,
            reverse("youth:training-new", args=[self.jasur.pk]),
            reverse("youth:training-complete", args=[course.pk]),
            reverse("youth:placement-new", args=[self.jasur.pk]),
            reverse("youth:placement-end", args=[job.pk]),
            reverse("youth:follow-up-record", args=[job.follow_ups.first().pk]),
        ]
        self.as_(self.alice)
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Jasur Karimov")
