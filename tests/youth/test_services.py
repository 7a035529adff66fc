"""Youth services: trainings and placements for young people 15–24 in the youth group; bad input
gets a clear message and saves nothing; writes are audited and reach the case timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from oila.audit.models import AuditEvent
from oila.cases.models import CaseEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.registry import services as registry
from oila.registry.models import Enrolment
from oila.youth import services
from oila.youth.models import FollowUp, Placement, YouthTraining
from tests.base import OilaTestCase
from tests.cases.factories import open_case
from tests.youth.factories import organisations, placement, training, young_person


def messages(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return str(exc)


class YouthTestCase(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.centre, cls.employer = organisations()
        cls.jasur = young_person(cls.alice, cls.household)

    def counts(self) -> tuple[int, int, int, int]:
        return (
            YouthTraining.objects.count(),
            Placement.objects.count(),
            FollowUp.objects.count(),
            AuditEvent.objects.count(),
        )

    def assert_refused(self, call: Any, message: str) -> None:
        before = self.counts()
        with self.assertRaises((ApplicationError, ValidationError)) as caught:
            call()
        self.assertIn(message, messages(caught.exception))
        self.assertEqual(self.counts(), before, "something was saved")


class YouthTrainingTests(YouthTestCase):
    def test_it_enrols_a_young_person_in_a_course_and_audits_it(self) -> None:
        course = training(self.alice, self.jasur, self.centre, ends_on=dt.date(2025, 6, 30))
        self.assertEqual((course.programme, course.completed), (self.programme, False))
        event = AuditEvent.objects.get(action="youth.training.create")
        self.assertEqual(event.target_id, str(course.pk))
        self.assertEqual(event.after["course"], "Tailoring")

    def test_it_records_the_completion_and_the_certificate(self) -> None:
        course = training(self.alice, self.jasur, self.centre)
        services.youth_training_complete(
            actor=self.alice,
            training=course,
            completed_on=dt.date(2025, 6, 30),
            certificate_number="KH-2025-117",
        )
        course.refresh_from_db()
        self.assertEqual(
            (course.completed, course.completed_on, course.certificate_issued_on),
            (True, dt.date(2025, 6, 30), dt.date(2025, 6, 30)),
        )

    def test_it_refuses_a_completion_before_the_start_or_a_certificate_before_it(self) -> None:
        course = training(self.alice, self.jasur, self.centre)
        self.assert_refused(
            lambda: services.youth_training_complete(
                actor=self.alice, training=course, completed_on=dt.date(2025, 1, 1)
            ),
            "cannot be completed before it started",
        )
        self.assert_refused(
            lambda: services.youth_training_complete(
                actor=self.alice,
                training=course,
                completed_on=dt.date(2025, 6, 30),
                certificate_number="1",
                certificate_issued_on=dt.date(2025, 6, 1),
            ),
            "cannot be issued before the course was completed",
        )

    def test_it_refuses_people_outside_15_to_24(self) -> None:
        cases = {
            "14 on the start date": (dt.date(2010, 6, 2), "is 14 years old on 2025-01-15"),
            "25 on the start date": (dt.date(1999, 12, 1), "is 25 years old on 2025-01-15"),
            "no date of birth": (None, "has no date of birth"),
        }
        for label, (born, message) in cases.items():
            with self.subTest(label):
                person = young_person(self.alice, self.household, given_name="Ali", birth_date=born)
                self.assert_refused(
                    lambda person=person: training(self.alice, person, self.centre), message
                )
                self.assert_refused(
                    lambda person=person: placement(
                        self.alice, person, self.employer, starts_on=dt.date(2025, 1, 15)
                    ),
                    message,
                )

    def test_it_accepts_the_15th_and_the_24th_year(self) -> None:
        for born in (dt.date(2010, 1, 15), dt.date(2000, 1, 16)):
            with self.subTest(born=born):
                person = young_person(self.alice, self.household, given_name="Ali", birth_date=born)
                self.assertIsNotNone(training(self.alice, person, self.centre).pk)

    def test_it_refuses_a_person_not_in_the_youth_group(self) -> None:
        person = young_person(self.alice, self.household, given_name="Ali", enrol=False)
        self.assert_refused(lambda: training(self.alice, person, self.centre), "not enrolled")
        enrolment = Enrolment.objects.get(person=self.jasur, group="youth")
        registry.enrolment_set_status(actor=self.alice, enrolment=enrolment, status="graduated")
        self.assert_refused(lambda: training(self.alice, self.jasur, self.centre), "not enrolled")

    def test_it_wants_a_training_centre_as_provider(self) -> None:
        self.assert_refused(
            lambda: training(self.alice, self.jasur, self.employer), "training centre"
        )

    def test_roles_that_do_not_work_with_cases_may_not_write(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                training(user, self.jasur, self.centre)


class PlacementTests(YouthTestCase):
    def test_it_records_employment_with_its_follow_ups_and_audits_it(self) -> None:
        course = training(self.alice, self.jasur, self.centre)
        job = placement(self.alice, self.jasur, self.employer, training=course)
        self.assertEqual(sorted(job.follow_ups.values_list("month", flat=True)), [3, 6, 12])
        event = AuditEvent.objects.get(action="youth.placement.create")
        self.assertEqual(event.after["monthly_wage_uzs"], 2_500_000)
        self.assertEqual(
            event.after["follow_ups"], {"3": "2025-06-10", "6": "2025-09-10", "12": "2026-03-10"}
        )

    def test_self_employment_needs_no_employer_and_no_contract(self) -> None:
        job = placement(self.alice, self.jasur, None, contract_type="permanent")
        self.assertEqual((job.kind, job.employer, job.contract_type), ("self_employment", None, ""))
        self.assertEqual(job.where, "self-employed")

    def test_it_refuses_a_negative_wage(self) -> None:
        self.assert_refused(
            lambda: placement(self.alice, self.jasur, self.employer, monthly_wage_uzs=-1),
            "A monthly wage cannot be below zero.",
        )

    def test_it_refuses_employment_without_a_proper_employer_or_contract(self) -> None:
        cases = {
            "no employer": (
                {"kind": "employment", "employer": None},
                "Choose the employer",
            ),
            "a training centre": ({"employer": self.centre}, "registered as an employer"),
            "no contract": ({"contract_type": ""}, "type of contract"),
        }
        for label, (data, message) in cases.items():
            with self.subTest(label):
                employer = data.pop("employer", self.employer)
                self.assert_refused(
                    lambda data=data, employer=employer: placement(
                        self.alice, self.jasur, employer, **data
                    ),
                    message,
                )
        self.assert_refused(
            lambda: placement(self.alice, self.jasur, self.employer, kind="self_employment"),
            "self-employed young person has no employer",
        )

    def test_it_refuses_a_start_in_the_future_or_someone_elses_training(self) -> None:
        self.assert_refused(
            lambda: placement(
                self.alice, self.jasur, self.employer, starts_on=today() + dt.timedelta(3)
            ),
            "once the work has started",
        )
        other = young_person(self.alice, self.household, given_name="Ali")
        course = training(self.alice, other, self.centre)
        self.assert_refused(
            lambda: placement(self.alice, self.jasur, self.employer, training=course),
            "not this young person",
        )

    def test_it_ends_a_placement_not_before_it_started(self) -> None:
        job = placement(self.alice, self.jasur, self.employer)
        self.assert_refused(
            lambda: services.placement_end(
                actor=self.alice, placement=job, ended_on=dt.date(2025, 3, 1)
            ),
            "cannot end before it started",
        )
        services.placement_end(actor=self.alice, placement=job, ended_on=dt.date(2025, 5, 1))
        job.refresh_from_db()
        self.assertEqual(job.ended_on, dt.date(2025, 5, 1))

    def test_a_negative_wage_at_a_follow_up_is_refused(self) -> None:
        job = placement(self.alice, self.jasur, self.employer)
        self.assert_refused(
            lambda: services.follow_up_record(
                actor=self.alice,
                follow_up=job.follow_ups.get(month=3),
                done_on=dt.date(2025, 6, 10),
                still_working=True,
                monthly_wage_uzs=-5,
            ),
            "cannot be below zero",
        )


class TimelineTests(YouthTestCase):
    def test_it_writes_on_the_timeline_of_the_familys_open_case(self) -> None:
        case = open_case(self.alice, self.household)
        job = placement(self.alice, self.jasur, self.employer)
        services.follow_up_record(
            actor=self.alice,
            follow_up=job.follow_ups.get(month=3),
            done_on=dt.date(2025, 6, 10),
            still_working=False,
        )
        summaries = [e.summary for e in CaseEvent.objects.filter(case=case, kind__startswith="y")]
        self.assertEqual(
            sorted(summaries),
            ["3-month follow-up: Jasur is no longer working.", "Jasur started work (2025-03-10)."],
        )

    def test_without_an_open_case_it_writes_no_line(self) -> None:
        placement(self.alice, self.jasur, self.employer)
        self.assertFalse(CaseEvent.objects.filter(kind__startswith="youth").exists())
