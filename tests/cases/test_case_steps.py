"""The six steps as the assessments and plans apps report their work to a case."""

from __future__ import annotations

import datetime as dt

from oila.audit.models import AuditEvent
from oila.cases import services
from oila.cases.models import Case
from oila.common.dates import today
from oila.common.errors import ApplicationError
from tests.base import OilaTestCase
from tests.cases.factories import open_case, request_closure


class CaseStepTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household, risk="high")

    def test_an_assessment_moves_the_case_to_planning(self) -> None:
        case = services.case_assessment_recorded(
            actor=self.alice, case=self.case, assessed_on=today(), is_csi=False
        )
        self.assertEqual(case.step, Case.Step.PLANNING)
        self.assertIsNone(case.assessment_due_at)
        self.assertEqual(case.plan_due_on, today() + dt.timedelta(days=14))
        self.assertIsNone(case.reassessment_due_on)
        self.assertTrue(case.events.filter(kind="case.step").exists())
        self.assertTrue(AuditEvent.objects.filter(action="case.assessed").exists())

    def test_an_approved_plan_moves_it_to_implementation_and_a_csi_to_follow_up(self) -> None:
        services.case_assessment_recorded(
            actor=self.alice, case=self.case, assessed_on=today(), is_csi=True
        )
        case = services.case_plan_approved(actor=self.bob, case=self.case, approved_on=today())
        self.assertEqual(case.step, Case.Step.IMPLEMENTATION)
        self.assertIsNone(case.plan_due_on)
        services.case_assessment_recorded(
            actor=self.alice, case=case, assessed_on=today(), is_csi=False
        )
        self.assertIsNone(case.plan_due_on)  # a plan is approved: no new plan deadline
        self.assertEqual(case.step, Case.Step.IMPLEMENTATION)
        services.case_assessment_recorded(
            actor=self.alice, case=case, assessed_on=today(), is_csi=True
        )
        self.assertEqual(case.step, Case.Step.FOLLOW_UP)

    def test_a_future_assessment_or_a_closed_case_is_refused(self) -> None:
        with self.assertRaises(ApplicationError):
            services.case_assessment_recorded(
                actor=self.alice,
                case=self.case,
                assessed_on=today() + dt.timedelta(days=2),
                is_csi=True,
            )
        self.case.refresh_from_db()
        self.assertEqual(self.case.step, Case.Step.IDENTIFICATION)
        request_closure(self.alice, self.case, reason="refused")
        services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        with self.assertRaises(ApplicationError):
            services.case_plan_approved(actor=self.bob, case=self.case, approved_on=today())

    def test_the_risk_level_change_needs_a_reason_and_another_level(self) -> None:
        for risk, reason in (("low", ""), ("high", "x"), ("extreme", "x")):
            with self.subTest(risk=risk), self.assertRaises(ApplicationError):
                services.case_set_risk(actor=self.alice, case=self.case, risk=risk, reason=reason)
        self.case.refresh_from_db()
        self.assertEqual(self.case.risk, "high")
