"""API v1 of cases: the same rules as the pages, JSON in and out, 404 out of scope."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from oila.accounts.models import Notification
from oila.audit.models import AuditEvent
from oila.cases.models import Case, Visit
from oila.common.dates import today
from tests.base import OilaTestCase
from tests.cases.factories import child_case, open_case, request_closure, sharing_consent

CASES = "/api/v1/cases/"


class CaseApiTests(OilaTestCase):
    def setUp(self) -> None:
        self.api = APIClient()
        self.api.force_authenticate(self.alice)

    def test_anonymous_clients_get_401(self) -> None:
        self.assertEqual(APIClient().get(CASES).status_code, 401)

    def test_it_opens_lists_and_reads_a_case(self) -> None:
        response = self.api.post(
            CASES,
            {"household": str(self.household.pk), "kind": "child", "subject": str(self.child.pk),
             "risk": "high"},
            format="json",
        )  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        case = Case.objects.get()
        self.assertEqual(response["Location"], f"{CASES}{case.pk}/")
        self.assertEqual(response.json()["number"], case.number)
        listed = self.api.get(CASES).json()
        self.assertEqual([c["number"] for c in listed["results"]], [case.number])
        detail = self.api.get(f"{CASES}{case.pk}/").json()
        self.assertEqual(detail["subject"]["name"], "Shahnoza Karimova")
        self.assertEqual(len(detail["timeline"]), 1)
        self.assertEqual(
            AuditEvent.objects.filter(action="case.view", target_id=str(case.pk)).count(), 1
        )

    def test_bad_input_is_400_and_opens_nothing(self) -> None:
        other = self.other_team_household()
        for body, field in (
            ({"household": str(other.pk), "kind": "family", "risk": "low"}, "household"),
            ({"household": str(self.household.pk), "kind": "child", "risk": "low"}, "subject"),
            ({"household": str(self.household.pk), "kind": "family", "risk": "none"}, "risk"),
            ({"household": str(self.household.pk), "kind": "family", "risk": "low",
              "identified_at": "2999-01-01T00:00:00Z"}, "identified_at"),
        ):  # fmt: skip
            with self.subTest(field=field):
                response = self.api.post(CASES, body, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.assertFalse(Case.objects.exists())

    def test_roles_that_do_not_work_with_cases_may_not_open_one(self) -> None:
        self.api.force_authenticate(self.erin)
        body = {"household": str(self.household.pk), "kind": "family", "risk": "low"}
        self.assertEqual(self.api.post(CASES, body, format="json").status_code, 403)

    def test_visits_are_recorded_and_listed_with_their_narrative(self) -> None:
        case = open_case(self.alice, self.household)
        url = f"{CASES}{case.pk}/visits/"
        future = (today() + dt.timedelta(days=1)).isoformat()
        bad = self.api.post(url, {"on": future, "kind": "home", "narrative": "x"}, format="json")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("on", bad.json())
        self.assertFalse(Visit.objects.exists())
        ok = self.api.post(
            url,
            {"on": today().isoformat(), "kind": "home", "narrative": "All well."},
            format="json",
        )
        self.assertEqual(ok.status_code, 201)
        self.assertEqual([v["narrative"] for v in self.api.get(url).json()], ["All well."])

    def test_closure_request_decision_and_reopening(self) -> None:
        case = open_case(self.alice, self.household)
        url = f"{CASES}{case.pk}/"
        no_reason = self.api.post(f"{url}closure-request/", {"note": "x", "goals_met": True},
                                  format="json")  # fmt: skip
        self.assertEqual(no_reason.status_code, 400)
        self.assertIn("reason", no_reason.json())
        response = self.api.post(
            f"{url}closure-request/",
            {"reason": "goals_met", "note": "Stable.", "goals_met": True},
            format="json",
        )
        self.assertEqual(response.json()["status"], "closure_requested")
        self.assertTrue(Notification.objects.filter(user=self.bob).exists())
        decision = {"approve": True}
        self.assertEqual(
            self.api.post(f"{url}closure-decision/", decision, format="json").status_code, 403
        )
        self.api.force_authenticate(self.bob)
        response = self.api.post(f"{url}closure-decision/", decision, format="json")
        self.assertEqual(response.json()["status"], "closed")
        response = self.api.post(f"{url}reopen/", {"reason": "Back."}, format="json")
        self.assertEqual(response.json()["status"], "open")

    def test_reassignment_and_transfer(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        url = f"{CASES}{case.pk}/"
        self.api.force_authenticate(self.bob)
        body = {"organisation": str(self.partner_org.pk), "reason": "Specialist."}
        refused = self.api.post(f"{url}transfer/", body, format="json")
        self.assertEqual(refused.status_code, 400)
        self.assertIn("Shahnoza Karimova", str(refused.json()))
        response = self.api.post(
            f"{url}reassign/", {"caseworker": str(self.carol.pk), "reason": "Leave."},
            format="json",
        )  # fmt: skip
        # The case left bob's team with its new caseworker: he gets what he just changed.
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["caseworker"]["id"], str(self.carol.pk))
        self.assertEqual(self.api.get(url).status_code, 404)

    def test_transfer_with_consent(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        sharing_consent(self.alice, self.child)
        self.api.force_authenticate(self.bob)
        response = self.api.post(
            f"{CASES}{case.pk}/transfer/",
            {"organisation": str(self.partner_org.pk), "reason": "Specialist."},
            format="json",
        )
        self.assertEqual(response.json()["status"], "transferred")

    def test_gatekeeping_and_care_changes(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        url = f"{CASES}{case.pk}/"
        response = self.api.post(f"{url}gatekeeping/", {
            "child": str(self.child.pk), "proposed_care": "residential", "necessity": "Needed.",
            "suitability": "Fits.", "alternatives_considered": ["foster"],
            "decision": "placement_made", "decided_on": "2026-01-10", "placement_place": "Home 3",
        }, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["placement"]["type"], "residential")
        response = self.api.post(f"{url}care-changes/", {
            "child": str(self.child.pk), "care_type": "parental", "started_on": "2026-02-01",
        }, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 201)
        stranger = self.other_team_household().memberships.get().person
        response = self.api.post(f"{url}care-changes/", {
            "child": str(stranger.pk), "care_type": "parental", "started_on": "2026-02-01",
        }, format="json")  # fmt: skip
        self.assertEqual(response.status_code, 400)

    def test_due_items_and_report(self) -> None:
        open_case(self.alice, self.household, risk="high",
                  identified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
        due = self.api.get("/api/v1/due-items/").json()
        self.assertEqual([i["kind"] for i in due["overdue"]], ["assessment"])
        self.assertEqual(self.api.get("/api/v1/reports/alternative-care/").status_code, 404)
        self.api.force_authenticate(self.bob)
        report = self.api.get("/api/v1/reports/alternative-care/",
                              {"start": "2026-01-01", "end": "2026-06-30"})  # fmt: skip
        self.assertEqual(report.status_code, 200)
        self.assertEqual(report.json()["total"]["reunifications"], 0)

    def test_the_list_query_count_does_not_grow_with_the_number_of_cases(self) -> None:
        open_case(self.alice, self.household)
        client = APIClient()
        client.force_login(self.alice)
        # session, user/team/programme (visibility), count, page
        with self.assertNumQueries(4):
            client.get(CASES)
        child_case(self.alice, self.household, self.child)
        for i in range(3):
            open_case(self.alice, self.register(f"Oila {i}"))
        with self.assertNumQueries(4):
            response = client.get(CASES)
        self.assertEqual(response.json()["count"], 5)

    def register(self, name: str) -> object:
        from tests.registry.test_views import register

        return register(self.alice, name, self.urganch)


class NotificationApiTests(OilaTestCase):
    def test_it_lists_only_ones_own_and_marks_them_read(self) -> None:
        case = open_case(self.alice, self.household)
        request_closure(self.alice, case)
        api = APIClient()
        api.force_authenticate(self.alice)
        self.assertEqual(api.get("/api/v1/notifications/").json()["count"], 0)
        api.force_authenticate(self.bob)
        listed = api.get("/api/v1/notifications/", {"unread": "true"}).json()
        self.assertEqual(listed["count"], 1)
        pk = listed["results"][0]["id"]
        api.force_authenticate(self.alice)
        self.assertEqual(api.post(f"/api/v1/notifications/{pk}/read/").status_code, 404)
        api.force_authenticate(self.bob)
        self.assertIsNotNone(api.post(f"/api/v1/notifications/{pk}/read/").json()["read_at"])
        self.assertEqual(api.get("/api/v1/notifications/", {"unread": "true"}).json()["count"], 0)
