"""Plan pages: who may and who may not, writing a plan from suggestions, submitting, deciding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.plans import services
from oila.plans.models import Action, Goal, Plan
from tests.assessments.factories import csi_scores, open_case, record
from tests.base import OilaTestCase, with_audit
from tests.plans.factories import action, approved, draft, submitted

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
INSIDERS = ("alice", "bob", "frank")


class PlanPageTestCase(OilaTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.case = open_case(self.alice, self.household)

    def url(self, name: str = "plans:plan", *args: Any) -> str:
        return reverse(name, args=[self.case.pk, *args])

    def get(self, user: Any, url: str) -> Any:
        self.client.force_login(user)
        return self.client.get(url)

    def post(self, user: Any, url: str, data: dict[str, Any] | None = None) -> Any:
        self.client.force_login(user)
        return self.client.post(url, data or {})


class PlanPageTests(PlanPageTestCase):
    def test_it_is_for_the_caseworker_her_supervisor_and_the_manager(self) -> None:
        draft(self.alice, self.case)
        for name in INSIDERS:
            with self.subTest(user=name):
                self.assertContains(
                    self.get(getattr(self, name), self.url()), "Shahnoza attends school"
                )

    def test_it_is_not_found_for_everyone_else(self) -> None:
        plan = draft(self.alice, self.case)
        goal = plan.goals.get()
        for name in OUTSIDERS:
            user = getattr(self, name)
            with self.subTest(user=name):
                self.assertEqual(self.get(user, self.url()).status_code, 404)
                self.assertEqual(self.get(user, self.url("plans:plan-new")).status_code, 404)
                self.assertEqual(
                    self.post(user, self.url("plans:plan-submit", plan.pk)).status_code, 404
                )
                self.assertEqual(
                    self.post(user, self.url("plans:goal-remove", goal.pk)).status_code, 404
                )
                self.assertEqual(
                    self.get(user, self.url("plans:action-new", goal.pk)).status_code, 404
                )
        self.assertEqual((Plan.objects.get().status, Goal.objects.count()), ("draft", 1))

    def test_it_offers_to_write_the_plan_when_there_is_none(self) -> None:
        response = self.get(self.alice, self.url())
        self.assertContains(response, "This case has no plan yet.")
        self.assertContains(response, self.url("plans:plan-new"))

    def test_it_audits_the_read_once(self) -> None:
        plan = draft(self.alice, self.case)
        before = AuditEvent.objects.filter(kind="read").count()
        self.get(self.alice, self.url())
        self.assertEqual(AuditEvent.objects.filter(kind="read").count(), before + 1)
        self.assertEqual(AuditEvent.objects.order_by("-seq")[0].target_id, str(plan.pk))

    def test_its_query_count_does_not_grow_with_goals_and_actions(self) -> None:
        record(self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1}))
        plan = draft(self.alice, self.case)
        self.client.force_login(self.alice)
        self.client.get(self.url())
        # session, user+team+programme+bell, case, versions, goals, actions, audit (savepoint, last
        # event, insert, release), assessments and scores (suggestions)
        with self.assertNumQueries(with_audit(12)):
            self.client.get(self.url())
        for i in range(3):
            goal = services.goal_add(
                actor=self.alice, plan=plan, text=f"Goal {i}", person=self.child
            )
            services.action_add(actor=self.alice, goal=goal, **action(self.alice))
            services.action_add(
                actor=self.alice,
                goal=goal,
                **action(
                    self.alice, responsible_user=None, responsible_organisation=self.partner_org
                ),
            )
        with self.assertNumQueries(with_audit(12)):
            response = self.client.get(self.url())
        self.assertContains(response, "Goal 2")

    def test_it_shows_the_versions_and_each_one(self) -> None:
        v1 = approved(self.alice, self.bob, self.case)
        services.plan_revise(actor=self.alice, plan=v1)
        response = self.get(self.alice, self.url())
        self.assertContains(response, "Version 2")
        self.assertContains(response, "Version 1 is the approved plan in force.")
        response = self.get(self.alice, self.url() + "?version=1")
        self.assertEqual(response.context["plan"], v1)
        self.assertEqual(self.get(self.alice, self.url() + "?version=9").status_code, 404)


class PlanWritingTests(PlanPageTestCase):
    def test_the_form_suggests_a_goal_for_each_low_factor_ticked(self) -> None:
        record(
            self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1, "6B": 2})
        )
        response = self.get(self.alice, self.url("plans:plan-new"))
        form = response.context["form"]
        self.assertEqual([s.item.code for s in form.suggestions], ["1A", "6B"])
        self.assertContains(response, 'name="s0" id="id_s0" checked', html=False)
        self.assertContains(response, 'value="Has enough food to eat at all times of the year"')

    def test_it_starts_the_plan_with_the_ticked_goals_as_edited(self) -> None:
        record(
            self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1, "6B": 2})
        )
        review = (today() + dt.timedelta(days=60)).isoformat()
        response = self.post(
            self.alice,
            self.url("plans:plan-new"),
            {
                "review_on": review,
                "s0": "on",
                "s0_text": "Three meals a day, also in winter",
                "s1_text": "ignored: not ticked",
                "goal": "Mother finds work",
            },
        )
        self.assertRedirects(response, self.url())
        plan = Plan.objects.get()
        goals = list(plan.goals.order_by("order"))
        self.assertEqual(
            [g.text for g in goals], ["Three meals a day, also in winter", "Mother finds work"]
        )
        self.assertEqual((goals[0].item.code, goals[0].person), ("1A", self.child))
        self.assertIsNone(goals[1].item)

    def test_it_refuses_a_review_date_in_the_past_and_saves_nothing(self) -> None:
        yesterday = (today() - dt.timedelta(days=1)).isoformat()
        response = self.post(self.alice, self.url("plans:plan-new"), {"review_on": yesterday})
        self.assertContains(response, "The review date cannot be in the past.", status_code=422)
        self.assertEqual(Plan.objects.count(), 0)

    def test_adding_a_goal_an_action_and_the_ticked_suggestions(self) -> None:
        record(self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1}))
        plan = draft(self.alice, self.case, goals=[])
        response = self.post(
            self.alice,
            self.url("plans:goal-new", plan.pk),
            {"text": "Learns to read", "person": self.child.pk},
        )
        self.assertRedirects(response, self.url())
        goal = Goal.objects.get(text="Learns to read")
        response = self.post(
            self.alice,
            self.url("plans:action-new", goal.pk),
            {
                "description": "Reading club twice a week",
                "responsible": f"org:{self.partner_org.pk}",
                "due_on": (today() + dt.timedelta(days=7)).isoformat(),
            },
        )
        self.assertRedirects(response, self.url())
        self.assertEqual(Action.objects.get().responsible_organisation, self.partner_org)
        self.post(
            self.alice, self.url("plans:goals-suggested", plan.pk), {"s0": "on", "s0_text": ""}
        )
        self.assertEqual(plan.goals.count(), 2)
        self.assertEqual(
            plan.goals.get(item__code="1A").text, "Has enough food to eat at all times of the year"
        )

    def test_the_action_form_offers_staff_and_partner_agencies(self) -> None:
        plan = draft(self.alice, self.case)
        response = self.get(self.alice, self.url("plans:action-new", plan.goals.get().pk))
        self.assertContains(response, f'<option value="user:{self.bob.pk}">bob</option>', html=True)
        self.assertContains(
            response, f'<option value="org:{self.partner_org.pk}">School 12</option>', html=True
        )
        self.assertNotContains(response, f"user:{self.dave.pk}")

    def test_submitting_without_goals_says_why_and_changes_nothing(self) -> None:
        plan = draft(self.alice, self.case, goals=[])
        response = self.post(self.alice, self.url("plans:plan-submit", plan.pk))
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        response = self.client.get(self.url())
        self.assertContains(response, "Add at least one goal before sending the plan for approval.")
        self.assertEqual(Plan.objects.get().status, "draft")

    def test_submitting_a_complete_draft(self) -> None:
        plan = draft(self.alice, self.case)
        self.post(self.alice, self.url("plans:plan-submit", plan.pk))
        self.assertEqual(Plan.objects.get().status, "submitted")
        self.assertContains(self.get(self.bob, self.url()), self.url("plans:plan-decide", plan.pk))
        self.assertNotContains(
            self.get(self.alice, self.url()), self.url("plans:plan-decide", plan.pk)
        )


class PlanDecisionPageTests(PlanPageTestCase):
    def test_the_supervisor_approves_on_the_decision_page(self) -> None:
        plan = submitted(self.alice, self.case)
        url = self.url("plans:plan-decide", plan.pk)
        self.assertContains(self.get(self.bob, url), "Shahnoza attends school every day")
        response = self.post(self.bob, url, {"decision": "approve", "comment": ""})
        self.assertRedirects(response, self.url())
        self.assertEqual(Plan.objects.get().status, "approved")

    def test_returning_without_a_comment_is_refused(self) -> None:
        plan = submitted(self.alice, self.case)
        response = self.post(
            self.bob, self.url("plans:plan-decide", plan.pk), {"decision": "reject"}
        )
        self.assertContains(response, "Say why the plan is not approved.", status_code=422)
        self.assertEqual(Plan.objects.get().status, "submitted")

    def test_self_approval_is_refused_with_a_message(self) -> None:
        plan = submitted(self.bob, self.case)
        response = self.post(
            self.bob, self.url("plans:plan-decide", plan.pk), {"decision": "approve"}
        )
        self.assertContains(response, "You sent this plan for approval", status_code=422)
        self.assertEqual(Plan.objects.get().status, "submitted")

    def test_the_caseworker_and_outsiders_have_no_decision_page(self) -> None:
        plan = submitted(self.alice, self.case)
        url = self.url("plans:plan-decide", plan.pk)
        for name in ("alice", *OUTSIDERS):
            with self.subTest(user=name):
                self.assertEqual(self.get(getattr(self, name), url).status_code, 404)
                self.assertEqual(
                    self.post(getattr(self, name), url, {"decision": "approve"}).status_code, 404
                )
        self.assertEqual(Plan.objects.get().status, "submitted")

    def test_edit_makes_a_new_version_and_statuses_move_on_the_approved_plan(self) -> None:
        plan = approved(self.alice, self.bob, self.case)
        goal = plan.goals.get()
        self.post(
            self.alice,
            self.url("plans:action-status", goal.actions.get().pk),
            {"status": "in_progress"},
        )
        self.post(self.alice, self.url("plans:goal-status", goal.pk), {"status": "met"})
        self.assertEqual(
            (Action.objects.get().status, Goal.objects.get().status), ("in_progress", "met")
        )
        self.post(self.alice, self.url("plans:plan-revise", plan.pk))
        self.assertEqual(
            list(Plan.objects.values_list("version", "status")), [(2, "draft"), (1, "approved")]
        )
