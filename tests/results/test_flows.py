"""The other default indicators against records made through each app's services: households
graduated, referrals completed by partners, young people in work 6 months after placement,
specialists trained with a post-test score of at least 70 %, and the beneficiary status accounting."""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

from django.core.cache import cache
from django.db import connection

from oila.cases import services as cases
from oila.common.dates import today
from oila.registry import services as registry
from oila.registry.models import Enrolment
from oila.results import engine, selectors, services
from oila.results.models import Indicator
from oila.support import services as support
from oila.training import services as training
from oila.training.services import ResultRow
from oila.youth import services as youth
from oila.youth.models import FollowUp
from tests.cases.factories import open_case, request_closure, sharing_consent
from tests.support.base import SupportTestCase
from tests.support.factories import refer
from tests.training.factories import event, specialist
from tests.youth.factories import organisations, placement, young_person


class FlowTests(SupportTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        services.framework_install_default(actor=cls.erin, programme=cls.programme)

    def total(self, code: str, period: engine.Period) -> int:
        indicator = Indicator.objects.get(programme=self.programme, code=code)
        return engine.compute_total(indicator, period).numerator

    def this_year(self) -> engine.Period:
        return engine.Period.of_year(today().year)

    def test_it_counts_a_household_once_its_family_case_closes_with_goals_met(self) -> None:
        case = open_case(self.alice, self.household)
        self.assertEqual(self.total("IND1.4", self.this_year()), 0)
        request_closure(self.alice, case)
        self.assertEqual(self.total("IND1.4", self.this_year()), 0)  # not yet approved
        cases.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")
        self.assertEqual(self.total("IND1.4", self.this_year()), 1)
        result = engine.compute(
            Indicator.objects.get(programme=self.programme, code="IND1.4"), self.this_year()
        )
        self.assertEqual({c.key: c.numerator for c in result.breakdowns["district"]},
                         {str(self.urganch.pk): 1})  # fmt: skip
        self.assertEqual(list(result.breakdowns), ["district", "group"])  # no person breakdowns

    def test_it_counts_referrals_completed_by_partners(self) -> None:
        sharing_consent(self.alice, self.child)
        done = refer(self.alice, self.case, self.tutoring, self.partner_org)
        open_one = refer(self.alice, self.case, self.checkup, self.health_org)
        support.referral_accept(actor=self.dave, referral=done)
        support.referral_report(actor=self.dave, referral=done, completed=True, feedback="Done.")
        support.referral_accept(actor=self.hana, referral=open_one)
        result = engine.compute(
            Indicator.objects.get(programme=self.programme, code="IND3.2"), self.this_year()
        )
        self.assertEqual(result.total.numerator, 1)
        self.assertEqual({c.key: c.numerator for c in result.breakdowns["sex"]},
                         {"female": 1, "male": 0})  # fmt: skip

    def test_it_counts_young_people_still_working_at_six_months(self) -> None:
        _centre, employer = organisations()
        kept = young_person(self.alice, self.household, given_name="Jasur")
        left = young_person(self.alice, self.household, given_name="Sardor")
        for person, working in ((kept, True), (left, False)):
            job = placement(self.alice, person, employer, starts_on=dt.date(2025, 3, 10))
            follow_up = FollowUp.objects.get(placement=job, month=6)
            youth.follow_up_record(actor=self.alice, follow_up=follow_up,
                                   done_on=dt.date(2025, 9, 12), still_working=working)  # fmt: skip
        indicator = Indicator.objects.get(programme=self.programme, code="IND2.1")
        result = engine.compute(indicator, engine.Period.of_year(2025))
        self.assertEqual(result.total.numerator, 1)
        self.assertEqual({c.key: c.numerator for c in result.breakdowns["age"]},
                         {"0-14": 0, "15-24": 1, "25+": 0})  # fmt: skip
        self.assertEqual(
            engine.compute_total(indicator, engine.Period.of_quarter(2025, 3)).numerator, 1
        )
        self.assertEqual(
            engine.compute_total(indicator, engine.Period.of_quarter(2025, 4)).numerator, 0
        )

    def test_it_counts_specialists_with_a_post_test_of_at_least_70(self) -> None:
        training_event = event(self.frank)
        people = [
            specialist(self.frank, self.ngo, given_name=n) for n in ("Malika", "Nodira", "Gulnora")
        ]
        training.participants_add(actor=self.frank, event=training_event, people=people)
        rows = {p.person_id: p for p in training_event.participations.all()}
        scores = {people[0].pk: 70, people[1].pk: 69, people[2].pk: 95}
        training.event_results_record(
            actor=self.frank,
            event=training_event,
            rows=[ResultRow(participation=rows[pk], attended=True, pre_score=40, post_score=s)
                  for pk, s in scores.items()],
        )  # fmt: skip
        self.assertEqual(self.total("IND3.1", engine.Period.of_year(2025)), 2)
        self.assertEqual(self.total("IND3.1", engine.Period.of_year(2024)), 0)


class StatusAccountingTests(SupportTestCase):
    def test_it_balances_active_new_and_leavers_per_quarter(self) -> None:
        home = self.household
        people = [
            registry.person_create(
                actor=self.alice, household=home, relationship="child", started_on=dt.date(2020, 1, 1),
                data={"given_name": f"Bola{i}", "family_name": "Karimov", "sex": "male"},
            )
            for i in range(4)
        ]  # fmt: skip
        plan = [
            (dt.date(2024, 6, 1), None),  # active throughout 2025
            (dt.date(2024, 9, 1), ("graduated", dt.date(2025, 2, 10))),  # graduates in Q1
            (dt.date(2025, 4, 2), ("transferred", dt.date(2025, 8, 20))),  # new Q2, transferred Q3
            (dt.date(2025, 11, 5), ("exited", dt.date(2025, 11, 30))),  # new and exits in Q4
        ]
        for person, (on, ended) in zip(people, plan, strict=True):
            enrolment = registry.enrolment_create(
                actor=self.alice, programme=self.programme, group="vulnerable_child",
                enrolled_on=on, person=person,
            )  # fmt: skip
            if ended:
                registry.enrolment_set_status(actor=self.alice, enrolment=enrolment,
                                              status=ended[0], ended_on=ended[1])  # fmt: skip
        rows = selectors.status_accounting(
            programme=self.programme, periods=engine.Period.of_year(2025).quarters()
        )
        got = [(r.opening, r.new, r.graduated, r.transferred, r.exited, r.closing) for r in rows]
        self.assertEqual(
            got,
            [(2, 0, 1, 0, 0, 1), (1, 1, 0, 0, 0, 2), (2, 0, 0, 1, 0, 1), (1, 1, 0, 0, 1, 1)],
        )
        self.assertTrue(all(r.balances for r in rows))


class StatusAccountingByPlaceTests(SupportTestCase):
    """The figures counted by where each enrolment's start and end fall equal the definitions
    applied to every enrolment one by one, whatever the dates (before, within, after the year;
    no end), and are kept until the programme's data version moves."""

    STATUSES = ("active", "graduated", "transferred", "exited")

    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        rng = random.Random(11)
        people = [
            registry.person_create(
                actor=self.alice, household=self.household, relationship="child",
                started_on=dt.date(2020, 1, 1),
                data={"given_name": f"Bola{i}", "family_name": "Karimov", "sex": "male"},
            )
            for i in range(24)
        ]  # fmt: skip
        for person in people:
            enrolled = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
            enrolment = registry.enrolment_create(
                actor=self.alice, programme=self.programme, group="vulnerable_child",
                enrolled_on=enrolled, person=person,
            )  # fmt: skip
            status = rng.choice(self.STATUSES)
            if status != "active":
                ended = enrolled + dt.timedelta(days=rng.randrange(1, 700))
                registry.enrolment_set_status(
                    actor=self.alice, enrolment=enrolment, status=status, ended_on=ended
                )

    def expected(self, periods: list[engine.Period]) -> list[tuple[int, ...]]:
        rows = list(
            Enrolment.objects.filter(programme=self.programme).values_list(
                "enrolled_on", "ended_on", "status"
            )
        )

        def active(day: dt.date) -> int:
            return sum(1 for on, end, _s in rows if on <= day and (end is None or end > day))

        out = []
        for p in periods:
            left = [
                sum(1 for _on, end, s in rows if end and p.start <= end <= p.end and s == status)
                for status in ("graduated", "transferred", "exited")
            ]
            new = sum(1 for on, _end, _s in rows if p.start <= on <= p.end)
            out.append((active(p.start - dt.timedelta(days=1)), new, *left, active(p.end)))
        return out

    def got(self, periods: list[engine.Period]) -> list[tuple[int, ...]]:
        rows = selectors.status_accounting(programme=self.programme, periods=periods)
        return [(r.opening, r.new, r.graduated, r.transferred, r.exited, r.closing) for r in rows]

    def test_the_same_figures_as_the_definitions(self) -> None:
        for year in (2022, 2024, 2025, 2027):
            for periods in (engine.Period.of_year(year).quarters(), [engine.Period.of_year(year)]):
                with self.subTest(year=year, periods=len(periods)):
                    self.assertEqual(self.got(periods), self.expected(periods))
        self.assertEqual(selectors.status_accounting(programme=self.programme, periods=[]), [])

    def test_periods_must_follow_each_other(self) -> None:
        q1, _q2, q3, _q4 = engine.Period.of_year(2025).quarters()
        with self.assertRaises(ValueError):
            selectors.status_accounting(programme=self.programme, periods=[q1, q3])

    def test_kept_until_the_data_version_moves(self) -> None:
        periods = engine.Period.of_year(2025).quarters()
        with mock.patch.object(connection, "in_atomic_block", False):  # as a page reads it
            first = self.got(periods)
            with self.assertNumQueries(0):
                self.assertEqual(self.got(periods), first)
        enrolment = Enrolment.objects.filter(
            programme=self.programme, status="active", enrolled_on__lte=dt.date(2025, 1, 1)
        ).first()
        assert enrolment is not None
        registry.enrolment_set_status(
            actor=self.alice, enrolment=enrolment, status="exited", ended_on=dt.date(2025, 5, 5)
        )
        self.programme.refresh_from_db()  # a new request reads the moved version
        with mock.patch.object(connection, "in_atomic_block", False):
            again = self.got(periods)
        self.assertNotEqual(again, first)
        self.assertEqual(again, self.expected(periods))
        self.assertEqual(again[1][4], first[1][4] + 1)  # one more exit in the second quarter
