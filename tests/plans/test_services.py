"""Plans: drafting, submission, the supervisor's decision, self-approval, versions, the case step."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import translation

from oila.accounts.models import Notification
from oila.audit.models import AuditEvent
from oila.cases.models import Case, CaseEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.plans import services
from oila.plans.models import Action, Goal, Plan
from tests.assessments.factories import open_case
from tests.base import OilaTestCase
from tests.plans.factories import action, approved, draft, submitted


class PlanTestCase(OilaTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.case = open_case(self.alice, self.household)

    def counts(self) -> tuple[int, int, int, int]:
        return (
            Plan.objects.count(),
            Goal.objects.count(),
            Action.objects.count(),
            AuditEvent.objects.count(),
        )


class PlanDraftTests(PlanTestCase):
    def test_it_starts_version_one_with_goals_and_actions(self) -> None:
        plan = draft(
            self.alice,
            self.case,
            goals=[
                {
                    "text": "Enough food all year",
                    "person": self.child,
                    "actions": [
                        action(self.alice),
                        action(
                            self.alice,
                            responsible_user=None,
                            responsible_organisation=self.partner_org,
                        ),
                    ],
                },
                {"text": "Family has stable income"},
            ],
        )
        self.assertEqual((plan.version, plan.status, plan.created_by), (1, "draft", self.alice))
        goals = list(plan.goals.order_by("order"))
        self.assertEqual(
            [g.text for g in goals], ["Enough food all year", "Family has stable income"]
        )
        self.assertEqual(goals[0].person, self.child)
        self.assertEqual(goals[0].actions.count(), 2)
        self.assertTrue(CaseEvent.objects.filter(case=self.case, kind="plan.create").exists())

    def test_it_refuses_an_action_with_both_or_neither_responsible(self) -> None:
        before = self.counts()
        for responsible in (
            {"responsible_user": self.alice, "responsible_organisation": self.partner_org},
            {"responsible_user": None},
        ):
            with (
                self.subTest(responsible=responsible),
                self.assertRaisesMessage(ApplicationError, "Choose who is responsible"),
            ):
                draft(
                    self.alice,
                    self.case,
                    goals=[{"text": "x", "actions": [action(self.alice, **responsible)]}],
                )
        self.assertEqual(self.counts(), before)

    def test_it_refuses_a_partner_user_as_the_staff_member_responsible(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "active staff member of this programme"):
            draft(self.alice, self.case, goals=[{"text": "x", "actions": [action(self.dave)]}])
        self.assertEqual(Plan.objects.count(), 0)

    def test_it_refuses_a_past_due_date_a_past_review_date_and_an_empty_goal(self) -> None:
        past = today() - dt.timedelta(days=1)
        with self.assertRaisesMessage(ApplicationError, "due date cannot be in the past"):
            draft(
                self.alice,
                self.case,
                goals=[{"text": "x", "actions": [action(self.alice, due_on=past)]}],
            )
        with self.assertRaisesMessage(ApplicationError, "review date cannot be in the past"):
            services.plan_create(actor=self.alice, case=self.case, review_on=past)
        with self.assertRaisesMessage(ApplicationError, "Write the goal."):
            draft(self.alice, self.case, goals=[{"text": "  "}])
        self.assertEqual(Plan.objects.count(), 0)

    def test_it_refuses_a_second_plan_while_one_is_in_the_making(self) -> None:
        draft(self.alice, self.case)
        with self.assertRaisesMessage(ApplicationError, "Version 1 of this case's plan is still"):
            draft(self.alice, self.case)
        self.assertEqual(Plan.objects.count(), 1)

    def test_goals_and_actions_change_only_on_a_draft(self) -> None:
        plan = submitted(self.alice, self.case)
        goal = plan.goals.get()
        before = self.counts()
        with self.assertRaisesMessage(ApplicationError, "Only a draft can be changed"):
            services.goal_add(actor=self.alice, plan=plan, text="More")
        with self.assertRaisesMessage(ApplicationError, "Only a draft can be changed"):
            services.action_add(actor=self.alice, goal=goal, **action(self.alice))
        with self.assertRaisesMessage(ApplicationError, "Only a draft can be changed"):
            services.goal_remove(actor=self.alice, goal=goal)
        self.assertEqual(self.counts(), before)

    def test_it_removes_a_goal_with_its_actions_from_a_draft(self) -> None:
        plan = draft(self.alice, self.case)
        services.goal_remove(actor=self.alice, goal=plan.goals.get())
        self.assertEqual((Goal.objects.count(), Action.objects.count()), (0, 0))

    def test_roles_that_do_not_work_with_cases_may_not_write_plans(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.plan_create(actor=user, case=self.case, review_on=today())


class PlanSubmitTests(PlanTestCase):
    def test_it_refuses_a_plan_without_goals(self) -> None:
        plan = draft(self.alice, self.case, goals=[])
        with self.assertRaisesMessage(ApplicationError, "Add at least one goal"):
            services.plan_submit(actor=self.alice, plan=plan)
        plan.refresh_from_db()
        self.assertEqual(plan.status, Plan.Status.DRAFT)
        self.assertFalse(Notification.objects.exists())

    def test_it_refuses_a_goal_without_an_action_and_names_it(self) -> None:
        plan = draft(
            self.alice,
            self.case,
            goals=[
                {"text": "Goes to school", "actions": [action(self.alice)]},
                {"text": "Eats well"},
            ],
        )
        with self.assertRaisesMessage(ApplicationError, "Goals without one: “Eats well”"):
            services.plan_submit(actor=self.alice, plan=plan)
        plan.refresh_from_db()
        self.assertEqual(plan.status, Plan.Status.DRAFT)

    def test_it_sends_the_plan_and_notifies_the_teams_supervisors(self) -> None:
        plan = submitted(self.alice, self.case)
        self.assertEqual((plan.status, plan.submitted_by), (Plan.Status.SUBMITTED, self.alice))
        notification = Notification.objects.get()
        self.assertEqual(notification.user, self.bob)
        self.assertEqual(notification.kind, "approval.requested")
        self.assertIn(self.case.number, notification.text)
        self.assertEqual(notification.url, f"/cases/{self.case.pk}/plan/")


class PlanDecideTests(PlanTestCase):
    def test_a_supervisor_approves_and_the_case_moves_to_carrying_out_the_plan(self) -> None:
        plan = submitted(self.alice, self.case)
        Notification.objects.all().delete()
        services.plan_decide(actor=self.bob, plan=plan, approve=True, comment="")
        plan.refresh_from_db()
        self.assertEqual((plan.status, plan.decided_by), (Plan.Status.APPROVED, self.bob))
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual(case.step, Case.Step.IMPLEMENTATION)
        self.assertEqual(case.plan_approved_on, today())
        self.assertEqual(Notification.objects.get().user, self.alice)
        self.assertTrue(AuditEvent.objects.filter(action="plan.approve").exists())

    def test_a_manager_may_decide_too(self) -> None:
        plan = submitted(self.alice, self.case)
        services.plan_decide(actor=self.frank, plan=plan, approve=True)
        self.assertEqual(Plan.objects.get().status, Plan.Status.APPROVED)

    def test_a_caseworker_or_another_teams_supervisor_may_not_decide(self) -> None:
        plan = submitted(self.alice, self.case)
        other = type(self.bob).objects.create_user(
            username="olga", role="supervisor", team=self.team_b
        )
        for user in (self.alice, self.carol, other):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.plan_decide(actor=user, plan=plan, approve=True)
        self.assertEqual(Plan.objects.get().status, Plan.Status.SUBMITTED)

    def test_nobody_approves_a_plan_they_submitted(self) -> None:
        plan = submitted(self.bob, self.case)
        with self.assertRaisesMessage(ApplicationError, "You sent this plan for approval"):
            services.plan_decide(actor=self.bob, plan=plan, approve=True)
        plan.refresh_from_db()
        self.assertEqual(plan.status, Plan.Status.SUBMITTED)
        self.assertEqual(Case.objects.get(pk=self.case.pk).step, Case.Step.IDENTIFICATION)

    def test_self_approval_is_allowed_when_the_programme_says_so(self) -> None:
        self.programme.settings = {"allow_self_approval": True}
        self.programme.save(update_fields=["settings"])
        case = Case.objects.get(pk=self.case.pk)
        plan = submitted(self.bob, case)
        services.plan_decide(actor=self.bob, plan=plan, approve=True)
        self.assertEqual(Plan.objects.get().status, Plan.Status.APPROVED)

    def test_returning_a_plan_needs_a_comment_which_is_stored_encrypted(self) -> None:
        plan = submitted(self.alice, self.case)
        with self.assertRaisesMessage(ApplicationError, "Say why the plan is not approved."):
            services.plan_decide(actor=self.bob, plan=plan, approve=False, comment=" ")
        services.plan_decide(actor=self.bob, plan=plan, approve=False, comment="Add the school.")
        plan.refresh_from_db()
        self.assertEqual((plan.status, plan.decision_comment), ("rejected", "Add the school."))
        with connection.cursor() as cursor:
            cursor.execute("SELECT decision_comment FROM plans_plan")
            raw = cursor.fetchone()[0]
        self.assertTrue(raw.startswith("enc1:"))
        self.assertEqual(Case.objects.get(pk=self.case.pk).step, Case.Step.IDENTIFICATION)

    def test_only_a_submitted_plan_is_decided(self) -> None:
        plan = draft(self.alice, self.case)
        with self.assertRaisesMessage(ApplicationError, "not waiting for a decision"):
            services.plan_decide(actor=self.bob, plan=plan, approve=True)


class PlanVersionTests(PlanTestCase):
    def test_editing_an_approved_plan_makes_a_draft_copy_and_approval_supersedes(self) -> None:
        v1 = approved(self.alice, self.bob, self.case)
        services.goal_set_status(actor=self.alice, goal=v1.goals.get(), status="met")
        v2 = services.plan_revise(actor=self.alice, plan=v1)
        self.assertEqual((v2.version, v2.status), (2, Plan.Status.DRAFT))
        copy = v2.goals.get()
        self.assertEqual((copy.text, copy.status), ("Shahnoza attends school every day", "met"))
        self.assertEqual(copy.actions.get().description, "Visit the school with the mother")
        v1.refresh_from_db()
        self.assertEqual(v1.status, Plan.Status.APPROVED, "in force until v2 is approved")
        services.goal_add(actor=self.alice, plan=v2, text="Mother finds work")
        services.action_add(
            actor=self.alice,
            goal=v2.goals.get(text="Mother finds work"),
            **action(self.alice, responsible_user=None, responsible_organisation=self.partner_org),
        )
        services.plan_submit(actor=self.alice, plan=v2)
        services.plan_decide(actor=self.bob, plan=v2, approve=True)
        v1.refresh_from_db()
        self.assertEqual(v1.status, Plan.Status.SUPERSEDED)
        self.assertEqual(v1.goals.count(), 1, "the old version keeps its own goals")

    def test_a_returned_plan_is_edited_into_a_new_version(self) -> None:
        plan = submitted(self.alice, self.case)
        services.plan_decide(actor=self.bob, plan=plan, approve=False, comment="Be specific.")
        v2 = services.plan_revise(actor=self.alice, plan=plan)
        self.assertEqual(v2.version, 2)

    def test_it_refuses_to_edit_a_draft_or_while_another_version_is_open(self) -> None:
        v1 = approved(self.alice, self.bob, self.case)
        services.plan_revise(actor=self.alice, plan=v1)
        with self.assertRaisesMessage(ApplicationError, "already being written"):
            services.plan_revise(actor=self.alice, plan=v1)
        self.assertEqual(Plan.objects.count(), 2)


class GoalAndActionStatusTests(PlanTestCase):
    def test_statuses_move_on_the_approved_plan(self) -> None:
        plan = approved(self.alice, self.bob, self.case)
        goal = plan.goals.get()
        services.action_set_status(actor=self.alice, action=goal.actions.get(), status="done")
        services.goal_set_status(actor=self.alice, goal=goal, status="met")
        self.assertEqual(Action.objects.get().status, "done")
        self.assertEqual(Goal.objects.get().status, "met")
        summaries = [
            e.summary
            for e in CaseEvent.objects.filter(kind__in=["plan.goal_status", "plan.action_status"])
        ]
        self.assertIn("Goal “Shahnoza attends school every day” was met.", summaries)
        self.assertIn("Action “Visit the school with the mother” is done.", summaries)

    def test_it_refuses_an_unknown_status_and_a_plan_waiting_for_a_decision(self) -> None:
        plan = submitted(self.alice, self.case)
        goal = plan.goals.get()
        with self.assertRaisesMessage(ApplicationError, "on a draft or on the approved plan only"):
            services.goal_set_status(actor=self.alice, goal=goal, status="met")
        draft_plan = draft(
            self.bob, open_case(self.alice, self.household, kind="child", subject=self.child)
        )
        with self.assertRaisesMessage(ApplicationError, "Choose one of the statuses."):
            services.goal_set_status(actor=self.alice, goal=draft_plan.goals.get(), status="almost")
