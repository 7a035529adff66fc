"""Follow-ups of a job placement at 3, 6 and 12 months, with the clock frozen: due dates (month ends
included), the programme setting, recording one, and the caseworker's home page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from oila.audit.models import AuditEvent
from oila.common.errors import ApplicationError
from oila.youth import selectors, services
from oila.youth.models import FollowUp
from tests.base import OilaTestCase
from tests.registry.test_views import EnglishPages, register
from tests.youth.factories import organisations, placement, young_person

TASHKENT = ZoneInfo("Asia/Tashkent")
HOME = reverse("web:home")


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    """The clock frozen on a day in the programme's time zone."""
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, tzinfo=TASHKENT), tick=False
    )


def due_dates(placement_: object) -> dict[int, dt.date]:
    return {f.month: f.due_on for f in FollowUp.objects.filter(placement=placement_)}


class FollowUpDueDateTests(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.centre, cls.employer = organisations()
        cls.jasur = young_person(cls.alice, cls.household)

    def test_it_schedules_follow_ups_3_6_and_12_months_after_the_start(self) -> None:
        with at(dt.date(2025, 3, 12)):
            job = placement(self.alice, self.jasur, self.employer, starts_on=dt.date(2025, 3, 10))
        self.assertEqual(
            due_dates(job),
            {3: dt.date(2025, 6, 10), 6: dt.date(2025, 9, 10), 12: dt.date(2026, 3, 10)},
        )
        self.assertFalse(FollowUp.objects.filter(done_on__isnull=False).exists())

    def test_it_moves_a_day_a_month_lacks_to_the_months_last_day(self) -> None:
        with at(dt.date(2025, 9, 1)):
            job = placement(self.alice, self.jasur, self.employer, starts_on=dt.date(2025, 8, 31))
        self.assertEqual(
            due_dates(job),
            {3: dt.date(2025, 11, 30), 6: dt.date(2026, 2, 28), 12: dt.date(2026, 8, 31)},
        )

    def test_it_falls_on_29_february_in_a_leap_year(self) -> None:
        person = young_person(self.alice, self.household, given_name="Bekzod")
        with at(dt.date(2023, 9, 1)):
            job = placement(self.alice, person, self.employer, starts_on=dt.date(2023, 8, 31))
        self.assertEqual(due_dates(job)[6], dt.date(2024, 2, 29))
        with at(dt.date(2024, 3, 1)):
            leap_day = placement(self.alice, person, None, starts_on=dt.date(2024, 2, 29))
        self.assertEqual(
            due_dates(leap_day),
            {3: dt.date(2024, 5, 29), 6: dt.date(2024, 8, 29), 12: dt.date(2025, 2, 28)},
        )

    def test_it_crosses_the_year_end(self) -> None:
        with at(dt.date(2025, 11, 30)):
            job = placement(self.alice, self.jasur, None, starts_on=dt.date(2025, 11, 30))
        self.assertEqual(
            due_dates(job),
            {3: dt.date(2026, 2, 28), 6: dt.date(2026, 5, 30), 12: dt.date(2026, 11, 30)},
        )

    def test_the_programme_chooses_the_months(self) -> None:
        programme = self.jasur.programme
        programme.settings = {"youth_follow_up_months": [1, 24, 6]}
        programme.save(update_fields=["settings"])
        with at(dt.date(2025, 1, 31)):
            job = placement(self.alice, self.jasur, self.employer, starts_on=dt.date(2025, 1, 31))
        self.assertEqual(
            due_dates(job),
            {1: dt.date(2025, 2, 28), 6: dt.date(2025, 7, 31), 24: dt.date(2027, 1, 31)},
        )

    def test_it_records_a_follow_up_and_it_is_no_longer_due(self) -> None:
        with at(dt.date(2025, 3, 10)):
            job = placement(self.alice, self.jasur, self.employer, starts_on=dt.date(2025, 3, 10))
        three = job.follow_ups.get(month=3)
        with at(dt.date(2025, 6, 12)):
            self.assertEqual(
                selectors.follow_ups_due(user=self.alice, today=dt.date(2025, 6, 12)).overdue,
                [three],
            )
            services.follow_up_record(
                actor=self.alice,
                follow_up=three,
                done_on=dt.date(2025, 6, 11),
                still_working=True,
                monthly_wage_uzs=2_800_000,
                note="Promoted to cutter.",
            )
            self.assertEqual(
                selectors.follow_ups_due(user=self.alice, today=dt.date(2025, 6, 12)).count, 0
            )
        three.refresh_from_db()
        self.assertEqual((three.done_on, three.still_working), (dt.date(2025, 6, 11), True))
        event = AuditEvent.objects.get(action="youth.follow_up.record")
        self.assertEqual(event.after["note"], "[encrypted]")  # the narrative stays out of the log

    def test_it_refuses_a_follow_up_before_the_start_or_in_the_future(self) -> None:
        with at(dt.date(2025, 3, 10)):
            job = placement(self.alice, self.jasur, self.employer, starts_on=dt.date(2025, 3, 10))
        three = job.follow_ups.get(month=3)
        events = AuditEvent.objects.count()
        with at(dt.date(2025, 6, 10)):
            for done_on, message in (
                (dt.date(2025, 3, 9), "cannot be before the placement started (2025-03-10)"),
                (dt.date(2025, 6, 11), "cannot be recorded in advance"),
            ):
                with (
                    self.subTest(done_on=done_on),
                    self.assertRaisesMessage(ApplicationError, message),
                ):
                    services.follow_up_record(
                        actor=self.alice, follow_up=three, done_on=done_on, still_working=True
                    )
        three.refresh_from_db()
        self.assertIsNone(three.done_on)
        self.assertEqual(AuditEvent.objects.count(), events)


class HomePageFollowUpTests(EnglishPages):
    """The caseworker's home page lists her young people's follow-ups: overdue, due today and due
    this week (the next six days), with the clock frozen."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.centre, cls.employer = organisations()
        cls.jasur = young_person(cls.alice, cls.household)
        with at(dt.date(2025, 3, 10)):
            cls.job = placement(cls.alice, cls.jasur, cls.employer, starts_on=dt.date(2025, 3, 10))
        # The 3-month follow-up is due on 10 June 2025.

    def home_due(self, day: dt.date, user: object = None) -> object:
        with at(day):
            self.client.force_login(user or self.alice)
            response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        return response

    def test_it_is_overdue_the_day_after(self) -> None:
        response = self.home_due(dt.date(2025, 6, 11))
        due = response.context["youth_due"]
        self.assertEqual([(f.month, f.due_on) for f in due.overdue], [(3, dt.date(2025, 6, 10))])
        self.assertEqual((due.today, due.week), ([], []))
        self.assertContains(response, "Young people's follow-ups")
        self.assertContains(response, "3-month follow-up · Jasur Karimov")
        self.assertContains(response, reverse("youth:person", args=[self.jasur.pk]))

    def test_it_is_due_today_on_the_day(self) -> None:
        due = self.home_due(dt.date(2025, 6, 10)).context["youth_due"]
        self.assertEqual(([f.month for f in due.today], due.overdue, due.week), ([3], [], []))

    def test_it_is_due_this_week_six_days_before_and_not_seven(self) -> None:
        due = self.home_due(dt.date(2025, 6, 4)).context["youth_due"]
        self.assertEqual(([f.month for f in due.week], due.overdue, due.today), ([3], [], []))
        response = self.home_due(dt.date(2025, 6, 3))
        self.assertEqual(response.context["youth_due"].count, 0)
        self.assertContains(response, "Nothing is overdue or due this week.")

    def test_the_later_follow_ups_come_due_in_turn(self) -> None:
        due = self.home_due(dt.date(2025, 9, 10)).context["youth_due"]
        self.assertEqual([f.month for f in due.overdue], [3])
        self.assertEqual([f.month for f in due.today], [6])

    def test_a_recorded_follow_up_leaves_the_list(self) -> None:
        with at(dt.date(2025, 6, 12)):
            services.follow_up_record(
                actor=self.alice,
                follow_up=self.job.follow_ups.get(month=3),
                done_on=dt.date(2025, 6, 12),
                still_working=False,
            )
        self.assertEqual(self.home_due(dt.date(2025, 6, 12)).context["youth_due"].count, 0)

    def test_her_supervisor_sees_them_and_another_teams_caseworker_does_not(self) -> None:
        self.assertEqual(
            self.home_due(dt.date(2025, 6, 11), self.bob).context["youth_due"].count, 1
        )
        self.assertEqual(
            self.home_due(dt.date(2025, 6, 11), self.carol).context["youth_due"].count, 0
        )

    def test_its_query_count_does_not_grow_with_the_number_of_follow_ups(self) -> None:
        # session, user+team+programme+bell (visibility), household count, recent households, due
        # cases (counted), due placements (care), due youth follow-ups (their dates, then those
        # shown with their people).
        with at(dt.date(2025, 6, 11)):
            self.client.force_login(self.alice)
            with self.assertNumQueries(8):
                self.client.get(HOME)
            for i in range(3):
                household = register(self.alice, f"Oila {i}", self.urganch)
                person = young_person(self.alice, household, given_name=f"Aziz{'bek' * i}")
                placement(self.alice, person, None, starts_on=dt.date(2025, 3, 1 + i))
            with self.assertNumQueries(8):
                response = self.client.get(HOME)
        self.assertEqual(len(response.context["youth_due"].overdue), 4)
