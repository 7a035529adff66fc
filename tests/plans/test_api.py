"""REST API v1 for plans: create, submit, decide, revise; who may and who may not; bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from oila.assessments.models import Item
from oila.audit.models import AuditEvent
from oila.cases.models import Case
from oila.common.dates import today
from oila.plans import services
from oila.plans.models import Action, Goal, Plan
from tests.assessments.factories import csi_scores, open_case, record
from tests.base import OilaTestCase, with_audit
from tests.plans.factories import action, approved, draft, submitted

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
PLANS = "/api/v1/plans/"


class PlanApiTests(OilaTestCase):
    client_class = APIClient

    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.case = open_case(self.alice, self.household)

    def as_(self, user: Any) -> APIClient:
        self.client.force_authenticate(user)
        return self.client  # type: ignore[return-value]

    def body(self, **overrides: Any) -> dict[str, Any]:
        due = (today() + dt.timedelta(days=10)).isoformat()
        data: dict[str, Any] = {
            "case": str(self.case.pk),
            "review_on": (today() + dt.timedelta(days=90)).isoformat(),
            "goals": [
                {
                    "text": "Enough food all year",
                    "person": str(self.child.pk),
                    "actions": [
                        {
                            "description": "Food parcel",
                            "due_on": due,
                            "responsible_organisation": str(self.partner_org.pk),
                        },
                        {
                            "description": "Benefit application",
                            "due_on": due,
                            "responsible_user": str(self.alice.pk),
                        },
                    ],
                }
            ],
        }
        data.update(overrides)
        return data

    def counts(self) -> tuple[int, int, int]:
        return Plan.objects.count(), Goal.objects.count(), Action.objects.count()

    def test_it_starts_a_plan_with_goals_and_actions(self) -> None:
        record(self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1}))
        item = Item.objects.get(instrument__code="csi", code="1A")
        body = self.body()
        body["goals"][0]["item"] = str(item.pk)
        response = self.as_(self.alice).post(PLANS, body, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        plan = response.json()
        self.assertEqual((plan["version"], plan["status"]), (1, "draft"))
        goal = plan["goals"][0]
        self.assertEqual(
            goal["factor"], {"instrument": "csi", "code": "1A", "label": "Food security"}
        )
        self.assertEqual(len(goal["actions"]), 2)
        self.assertEqual(response["Location"], f"{PLANS}{plan['id']}/")

    def test_it_refuses_bad_input_and_saves_nothing(self) -> None:
        cases = {
            "both responsible": (
                {
                    "goals": [
                        {
                            "text": "x",
                            "actions": [
                                {
                                    "description": "y",
                                    "due_on": today().isoformat(),
                                    "responsible_user": str(self.alice.pk),
                                    "responsible_organisation": str(self.partner_org.pk),
                                }
                            ],
                        }
                    ]
                },
                "either responsible_user",
            ),
            "past review date": ({"review_on": "2020-01-01"}, "review date cannot be in the past"),
            "unknown person": (
                {"goals": [{"text": "x", "person": str(self.case.pk)}]},
                "Not one of the people",
            ),
            "a partner user": (
                {
                    "goals": [
                        {
                            "text": "x",
                            "actions": [
                                {
                                    "description": "y",
                                    "due_on": today().isoformat(),
                                    "responsible_user": str(self.dave.pk),
                                }
                            ],
                        }
                    ]
                },
                "active staff member",
            ),
        }
        for name, (overrides, message) in cases.items():
            with self.subTest(name):
                response = self.as_(self.alice).post(PLANS, self.body(**overrides), format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(message, str(response.json()))
        self.assertEqual(self.counts(), (0, 0, 0))

    def test_submit_without_goals_is_refused(self) -> None:
        plan = draft(self.alice, self.case, goals=[])
        response = self.as_(self.alice).post(f"{PLANS}{plan.pk}/submit/")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Add at least one goal", str(response.json()))
        self.assertEqual(Plan.objects.get().status, "draft")

    def test_submit_then_the_supervisor_approves(self) -> None:
        plan = draft(self.alice, self.case)
        self.assertEqual(
            self.as_(self.alice).post(f"{PLANS}{plan.pk}/submit/").json()["status"], "submitted"
        )
        response = self.as_(self.bob).post(
            f"{PLANS}{plan.pk}/decide/", {"decision": "approve"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "approved")
        self.assertEqual(Case.objects.get(pk=self.case.pk).step, Case.Step.IMPLEMENTATION)

    def test_deciding_is_for_supervisors_and_never_on_ones_own_plan(self) -> None:
        plan = submitted(self.alice, self.case)
        response = self.as_(self.alice).post(
            f"{PLANS}{plan.pk}/decide/", {"decision": "approve"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        own = submitted(
            self.bob, open_case(self.alice, self.household, kind="child", subject=self.child)
        )
        response = self.as_(self.bob).post(
            f"{PLANS}{own.pk}/decide/", {"decision": "approve"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("You sent this plan for approval", str(response.json()))
        response = self.as_(self.bob).post(
            f"{PLANS}{plan.pk}/decide/", {"decision": "reject"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(Plan.objects.values_list("status", flat=True)), {"submitted"})

    def test_revise_makes_a_new_draft_version(self) -> None:
        plan = approved(self.alice, self.bob, self.case)
        response = self.as_(self.alice).post(f"{PLANS}{plan.pk}/revise/")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["version"], response.json()["status"]), (2, "draft"))
        self.assertEqual(len(response.json()["goals"]), 1)

    def test_outsiders_get_404_for_everything_and_nothing_changes(self) -> None:
        plan = submitted(self.alice, self.case)
        for name in OUTSIDERS:
            client = self.as_(getattr(self, name))
            with self.subTest(user=name):
                self.assertEqual(client.get(PLANS, {"case": self.case.pk}).status_code, 404)
                self.assertEqual(client.get(f"{PLANS}{plan.pk}/").status_code, 404)
                # creating: a case role gets 404 for a case it does not see; the other roles are
                # refused (403) before their body is read
                created = client.post(PLANS, self.body(), format="json").status_code
                self.assertEqual(created, 404 if name == "carol" else 403)
                self.assertEqual(client.post(f"{PLANS}{plan.pk}/submit/").status_code, 404)
                decide = client.post(
                    f"{PLANS}{plan.pk}/decide/", {"decision": "approve"}, format="json"
                )
                self.assertEqual(decide.status_code, 404)
        self.assertEqual(list(Plan.objects.values_list("status", flat=True)), ["submitted"])

    def test_the_list_pins_its_queries_and_reads_are_audited(self) -> None:
        v1 = approved(self.alice, self.bob, self.case)
        self.as_(self.alice).get(PLANS, {"case": self.case.pk})
        # case, audit (savepoint, last event, insert, release), count, plans, goals, actions
        with self.assertNumQueries(with_audit(9)):
            self.as_(self.alice).get(PLANS, {"case": self.case.pk})
        v2 = __import__("oila.plans.services", fromlist=["x"]).plan_revise(
            actor=self.alice, plan=v1
        )

        services.goal_add(actor=self.alice, plan=v2, text="More")
        services.action_add(actor=self.alice, goal=v2.goals.get(text="More"), **action(self.alice))
        with self.assertNumQueries(with_audit(9)):
            response = self.as_(self.alice).get(PLANS, {"case": self.case.pk})
        self.assertEqual([p["version"] for p in response.json()["results"]], [2, 1])
        self.as_(self.frank).get(f"{PLANS}{v1.pk}/")
        reads = AuditEvent.objects.filter(kind="read").order_by("-seq")
        self.assertEqual((reads[0].actor_username, reads[0].action), ("frank", "plan.view"))
        self.assertEqual(reads[1].action, "plan.list")
