"""Deadlines from the programme's settings, for each risk level, with the clock frozen."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import SimpleTestCase

from oila.accounts.models import PROGRAMME_DEFAULTS
from oila.cases import deadlines, services
from oila.cases.deadlines import DeadlineRules
from oila.cases.selectors import due_items
from tests.base import OilaTestCase
from tests.cases.factories import open_case

TASHKENT = ZoneInfo("Asia/Tashkent")
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=TASHKENT)
TODAY = NOW.date()


class Defaults:
    def setting(self, key: str) -> object:
        return PROGRAMME_DEFAULTS[key]


RULES = DeadlineRules.of(Defaults())


class DeadlineRuleTests(SimpleTestCase):
    def test_it_gives_the_initial_assessment_24_72_and_168_hours(self) -> None:
        for risk, hours in (("high", 24), ("medium", 72), ("low", 168)):
            with self.subTest(risk=risk):
                due = deadlines.assessment_due(RULES, risk=risk, identified_at=NOW)
                self.assertEqual(due, NOW + dt.timedelta(hours=hours))

    def test_it_spaces_visits_7_14_and_30_days(self) -> None:
        for risk, days in (("high", 7), ("medium", 14), ("low", 30)):
            with self.subTest(risk=risk):
                due = deadlines.visit_due(RULES, risk=risk, since=TODAY)
                self.assertEqual(due, TODAY + dt.timedelta(days=days))

    def test_it_wants_the_plan_14_days_after_the_assessment(self) -> None:
        self.assertEqual(deadlines.plan_due(RULES, assessed_on=TODAY), dt.date(2026, 3, 24))

    def test_it_reassesses_the_csi_six_months_later_at_a_months_end_too(self) -> None:
        self.assertEqual(deadlines.reassessment_due(RULES, assessed_on=TODAY), dt.date(2026, 9, 10))
        self.assertEqual(
            deadlines.reassessment_due(RULES, assessed_on=dt.date(2025, 8, 31)),
            dt.date(2026, 2, 28),
        )

    def test_it_reviews_a_placement_every_three_months(self) -> None:
        self.assertEqual(
            deadlines.placement_review_due(RULES, since=dt.date(2025, 11, 30)),
            dt.date(2026, 2, 28),
        )

    def test_a_programme_setting_overrides_the_default(self) -> None:
        class Custom(Defaults):
            def setting(self, key: str) -> object:
                if key == "visit_interval_days":
                    return {"high": 3, "medium": 10, "low": 60}
                return super().setting(key)

        rules = DeadlineRules.of(Custom())
        self.assertEqual(deadlines.visit_due(rules, risk="high", since=TODAY), dt.date(2026, 3, 13))

    def test_it_puts_a_deadline_in_overdue_today_this_week_or_none(self) -> None:
        cases = [
            (dt.date(2026, 3, 9), "overdue"),
            (TODAY, "today"),
            (dt.date(2026, 3, 11), "week"),
            (dt.date(2026, 3, 16), "week"),
            (dt.date(2026, 3, 17), None),
        ]
        for due, expected in cases:
            with self.subTest(due=due):
                self.assertEqual(deadlines.bucket(due, today=TODAY), expected)


class CaseDeadlineTests(OilaTestCase):
    """The deadlines a case gets and keeps, per risk level, with time frozen."""

    def test_a_new_case_gets_its_assessment_and_visit_deadlines_by_risk(self) -> None:
        expected = {"high": (24, 7), "medium": (72, 14), "low": (168, 30)}
        for risk, (hours, days) in expected.items():
            with self.subTest(risk=risk), time_machine.travel(NOW, tick=False):
                case = open_case(self.alice, self.household, risk=risk)
                self.assertEqual(case.assessment_due_at, NOW + dt.timedelta(hours=hours))
                self.assertEqual(case.visit_due_on, TODAY + dt.timedelta(days=days))
                self.assertIsNone(case.plan_due_on)
                self.assertIsNone(case.reassessment_due_on)
                services.case_closure_request(
                    actor=self.alice, case=case, reason="refused", note="x", goals_met=False
                )
                services.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")

    def test_the_assessment_due_shows_as_due_then_overdue_as_time_passes(self) -> None:
        for risk, due_day in (("high", 11), ("medium", 13), ("low", 17)):
            with self.subTest(risk=risk):
                with time_machine.travel(NOW, tick=False):
                    case = open_case(self.alice, self.household, risk=risk)
                day_before = dt.date(2026, 3, due_day - 1)
                day_after = dt.date(2026, 3, due_day + 1)
                kinds = {i.kind for i in due_items(user=self.alice, today=day_before).overdue}
                self.assertNotIn("assessment", kinds)
                late = due_items(user=self.alice, today=day_after).overdue
                self.assertIn(("assessment", case.number), {(i.kind, i.case_number) for i in late})
                services.case_closure_request(
                    actor=self.alice, case=case, reason="refused", note="x", goals_met=False
                )
                services.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")

    def test_a_visit_moves_the_next_visit_by_the_risk_levels_interval(self) -> None:
        for risk, days in (("high", 7), ("medium", 14), ("low", 30)):
            with self.subTest(risk=risk), time_machine.travel(NOW, tick=False):
                case = open_case(self.alice, self.household, risk=risk)
                services.visit_record(
                    actor=self.alice, case=case, on=TODAY, kind="home", narrative="Visited."
                )
                case.refresh_from_db()
                self.assertEqual(case.visit_due_on, TODAY + dt.timedelta(days=days))
                self.assertEqual(case.last_visit_on, TODAY)
                services.case_closure_request(
                    actor=self.alice, case=case, reason="refused", note="x", goals_met=False
                )
                services.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")

    def test_a_phone_call_does_not_count_as_a_visit(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = open_case(self.alice, self.household, risk="high")
            services.visit_record(
                actor=self.alice, case=case, on=TODAY, kind="phone", narrative="Called."
            )
        case.refresh_from_db()
        self.assertEqual(case.visit_due_on, dt.date(2026, 3, 17))
        self.assertIsNone(case.last_visit_on)

    def test_changing_the_risk_level_moves_the_open_deadlines(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = open_case(self.alice, self.household, risk="low")
            services.case_set_risk(actor=self.alice, case=case, risk="high", reason="Violence.")
        case.refresh_from_db()
        self.assertEqual(case.assessment_due_at, NOW + dt.timedelta(hours=24))
        self.assertEqual(case.visit_due_on, dt.date(2026, 3, 17))

    def test_a_programme_can_shorten_its_visit_interval(self) -> None:
        self.household.programme.settings = {
            "visit_interval_days": {"high": 2, "medium": 5, "low": 9}
        }
        with time_machine.travel(NOW, tick=False):
            case = open_case(self.alice, self.household, risk="medium")
        self.assertEqual(case.visit_due_on, dt.date(2026, 3, 15))

    def test_an_assessment_sets_the_plan_and_csi_deadlines(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = open_case(self.alice, self.household, risk="high")
            services.case_assessment_recorded(
                actor=self.alice, case=case, assessed_on=TODAY, is_csi=True
            )
        case.refresh_from_db()
        self.assertIsNone(case.assessment_due_at)
        self.assertEqual(case.plan_due_on, dt.date(2026, 3, 24))
        self.assertEqual(case.reassessment_due_on, dt.date(2026, 9, 10))

    def test_a_placement_review_is_due_three_months_after_the_placement(self) -> None:
        with time_machine.travel(NOW, tick=False):
            case = open_case(self.alice, self.household, risk="high", kind="child",
                             subject=self.child)  # fmt: skip
            services.gatekeeping_record(
                actor=self.alice,
                case=case,
                child=self.child,
                proposed_care="foster",
                necessity="No safe carer in the family.",
                suitability="Experienced foster family nearby.",
                alternatives_considered=["informal_kinship"],
                decision="placement_made",
                decided_on=dt.date(2025, 12, 15),
            )
        review = due_items(user=self.alice, today=dt.date(2026, 3, 15))
        self.assertEqual(
            [(i.kind, i.due_on) for i in review.today], [("placement_review", dt.date(2026, 3, 15))]
        )
        overdue = due_items(user=self.alice, today=dt.date(2026, 3, 16)).overdue
        self.assertIn(("placement_review", case.pk), {(i.kind, i.case_id) for i in overdue})
