"""What the home page and the team dashboard can show: plans to decide on, actions coming due."""

from __future__ import annotations

import datetime as dt

from oila.common.dates import today
from oila.plans import selectors, services
from tests.assessments.factories import open_case
from tests.base import OilaTestCase
from tests.plans.factories import action, approved, draft, submitted


class PlansAwaitingApprovalTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)

    def test_it_lists_submitted_plans_for_the_teams_supervisor_and_the_manager(self) -> None:
        plan = submitted(self.alice, self.case)
        draft(self.alice, open_case(self.alice, self.household, kind="child", subject=self.child))
        self.assertEqual(list(selectors.plans_awaiting_approval(user=self.bob)), [plan])
        self.assertEqual(list(selectors.plans_awaiting_approval(user=self.frank)), [plan])

    def test_it_lists_nothing_for_caseworkers_and_other_roles(self) -> None:
        submitted(self.alice, self.case)
        for user in (self.alice, self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.assertEqual(list(selectors.plans_awaiting_approval(user=user)), [])

    def test_it_leaves_out_a_supervisors_own_plan_unless_the_programme_allows_it(self) -> None:
        submitted(self.bob, self.case)
        self.assertEqual(list(selectors.plans_awaiting_approval(user=self.bob)), [])
        self.programme.settings = {"allow_self_approval": True}
        self.programme.save(update_fields=["settings"])
        self.assertEqual(len(selectors.plans_awaiting_approval(user=self.bob)), 1)


class PlanActionsDueTests(OilaTestCase):
    def test_it_lists_open_actions_of_approved_plans_due_within_a_week(self) -> None:
        case = open_case(self.alice, self.household)
        soon, later = today() + dt.timedelta(days=3), today() + dt.timedelta(days=30)
        plan = approved(
            self.alice,
            self.bob,
            case,
            goals=[
                {
                    "text": "School",
                    "actions": [
                        action(self.alice, description="Soon", due_on=soon),
                        action(self.alice, description="Later", due_on=later),
                        action(self.alice, description="Done already", due_on=soon),
                    ],
                }
            ],
        )
        done = plan.goals.get().actions.get(description="Done already")
        services.action_set_status(actor=self.alice, action=done, status="done")
        due = selectors.plan_actions_due(user=self.alice, today=today())
        self.assertEqual([a.description for a in due], ["Soon"])
        self.assertEqual(
            [a.description for a in selectors.plan_actions_due(user=self.bob, today=later)],
            ["Soon", "Later"],
        )
        for user in (self.carol, self.dave, self.erin):
            with self.subTest(user=user.username):
                self.assertEqual(list(selectors.plan_actions_due(user=user, today=later)), [])

    def test_actions_of_a_draft_are_not_due_yet(self) -> None:
        draft(self.alice, open_case(self.alice, self.household))
        self.assertEqual(list(selectors.plan_actions_due(user=self.alice, today=today())), [])
