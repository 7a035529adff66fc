"""The closure request page: the approved plan's goals as a checklist, a reason and a note."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from oila.cases.models import Case, CaseEvent
from oila.plans.models import Goal
from tests.assessments.factories import open_case
from tests.base import OilaTestCase
from tests.plans.factories import action, approved, draft

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")


class ClosureRequestTests(OilaTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.case = open_case(self.alice, self.household)
        self.plan = approved(
            self.alice,
            self.bob,
            self.case,
            goals=[
                {"text": "Goes to school", "actions": [action(self.alice)]},
                {"text": "Mother finds work", "actions": [action(self.alice)]},
            ],
        )
        self.school, self.work = self.plan.goals.order_by("order")
        self.url = reverse("plans:case_close", args=[self.case.pk])

    def post(self, user: Any, **data: Any) -> Any:
        self.client.force_login(user)
        return self.client.post(self.url, data)

    def reloaded(self) -> Case:
        return Case.objects.get(pk=self.case.pk)

    def test_it_shows_the_goals_as_a_checklist_with_the_reasons(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Goes to school")
        self.assertContains(response, f'name="goal_{self.school.pk}" value="met"')
        self.assertContains(
            response,
            '<option value="goals_met">no longer requires support (goals met)</option>',
            html=True,
        )
        self.assertContains(response, '<option value="died">died</option>', html=True)

    def test_it_requests_the_closure_with_every_goal_met(self) -> None:
        response = self.post(
            self.alice,
            reason="goals_met",
            note="Both goals reached.",
            **{f"goal_{self.school.pk}": "met", f"goal_{self.work.pk}": "met"},
        )
        self.assertRedirects(response, self.case.get_absolute_url(), fetch_redirect_response=False)
        case = self.reloaded()
        self.assertEqual((case.status, case.closure_reason), ("closure_requested", "goals_met"))
        self.assertTrue(case.closure_goals_met)
        self.assertEqual(set(Goal.objects.values_list("status", flat=True)), {"met"})
        self.assertTrue(CaseEvent.objects.filter(case=case, kind="case.closure_request").exists())

    def test_goals_met_with_a_goal_not_met_is_refused_and_nothing_changes(self) -> None:
        response = self.post(
            self.alice,
            reason="goals_met",
            note="Closing.",
            **{f"goal_{self.school.pk}": "met", f"goal_{self.work.pk}": "not_met"},
        )
        self.assertContains(response, "needs every goal of the plan to be met", status_code=422)
        self.assertEqual(self.reloaded().status, "open")
        self.assertEqual(set(Goal.objects.values_list("status", flat=True)), {"open"})

    def test_another_reason_with_goals_not_met(self) -> None:
        self.post(
            self.alice,
            reason="moved_abroad",
            note="Family left for Russia.",
            **{f"goal_{self.school.pk}": "not_met", f"goal_{self.work.pk}": "not_met"},
        )
        case = self.reloaded()
        self.assertEqual((case.status, case.closure_goals_met), ("closure_requested", False))

    def test_every_goal_must_be_checked_and_a_note_given(self) -> None:
        response = self.post(
            self.alice, reason="refused", note="", **{f"goal_{self.school.pk}": "met"}
        )
        self.assertContains(response, "Mark this goal as met or not met.", status_code=422)
        self.assertEqual(self.reloaded().status, "open")

    def test_without_an_approved_plan_there_is_nothing_to_check(self) -> None:
        case = open_case(self.alice, self.household, kind="child", subject=self.child)
        draft(self.alice, case)
        url = reverse("plans:case_close", args=[case.pk])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url), "there are no goals to check")
        response = self.client.post(url, {"reason": "goals_met", "note": "x"})
        self.assertContains(response, "needs every goal of the plan to be met", status_code=422)
        self.client.post(url, {"reason": "criteria", "note": "No longer at risk."})
        self.assertEqual(Case.objects.get(pk=case.pk).status, "closure_requested")

    def test_it_is_not_found_for_outsiders(self) -> None:
        for name in OUTSIDERS:
            user = getattr(self, name)
            with self.subTest(user=name):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 404)
                response = self.post(
                    user,
                    reason="died",
                    note="x",
                    **{f"goal_{self.school.pk}": "met", f"goal_{self.work.pk}": "met"},
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.reloaded().status, "open")
