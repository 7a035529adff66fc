"""Who sees a case: alice (hers), bob (her supervisor), frank (the manager); everyone else gets 404
on every case page and API, whether reading or writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from oila.cases import selectors, services
from oila.cases.models import Case
from tests.base import OilaTestCase
from tests.cases.factories import child_case, open_case, request_closure

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")


def case_pages(case: Case, placement: Any = None) -> list[str]:
    names = [
        "case", "visit-new", "risk", "reassign", "transfer", "closure-decide", "reopen",
        "gatekeeping-new", "care-change",
    ]  # fmt: skip
    urls = [reverse(f"cases:{name}", args=[case.pk]) for name in names]
    if placement is not None:
        urls.append(reverse("cases:placement-review", args=[case.pk, placement.pk]))
    return urls


def case_apis(case: Case) -> list[str]:
    base = f"/api/v1/cases/{case.pk}/"
    return [base] + [
        f"{base}{action}/"
        for action in (
            "visits", "risk", "closure-request", "closure-decision", "reopen", "reassign",
            "transfer", "gatekeeping", "care-changes",
        )
    ]  # fmt: skip


class CaseVisibilityTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = child_case(self.alice, self.household, self.child)
        self.placement = services.gatekeeping_record(
            actor=self.alice,
            case=self.case,
            child=self.child,
            proposed_care="foster",
            necessity="No safe carer.",
            suitability="Experienced foster family.",
            alternatives_considered=["informal_kinship"],
            decision="placement_made",
            decided_on=dt.date(2026, 1, 10),
        ).placement

    def test_alice_bob_and_frank_see_the_case(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.assertEqual(list(selectors.case_list(user=user)), [self.case])
                self.assertEqual(selectors.case_get(user=user, case_id=self.case.pk), self.case)

    def test_everyone_else_sees_no_case(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.assertEqual(list(selectors.case_list(user=getattr(self, name))), [])

    def test_every_case_page_is_not_found_for_everyone_else(self) -> None:
        for name in OUTSIDERS:
            self.client.force_login(getattr(self, name))
            for url in case_pages(self.case, self.placement):
                with self.subTest(user=name, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    if url != self.case.get_absolute_url():  # the case page takes no POST
                        self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.OPEN)

    def test_every_case_api_is_not_found_for_everyone_else(self) -> None:
        request_closure(self.alice, self.case, reason="criteria")
        client = APIClient()
        for name in OUTSIDERS:
            client.force_authenticate(getattr(self, name))
            detail, *actions = case_apis(self.case)
            for url in (detail, f"{detail}visits/"):
                with self.subTest(user=name, url=url):
                    self.assertEqual(client.get(url).status_code, 404)
            for url in actions:
                with self.subTest(user=name, url=url):
                    body = {"reason": "x", "approve": True, "note": "x", "goals_met": False}
                    self.assertEqual(client.post(url, body, format="json").status_code, 404)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSURE_REQUESTED)

    def test_another_teams_open_case_page_is_not_found_for_alice(self) -> None:
        other = open_case(self.carol, self.other_team_household())
        self.client.force_login(self.alice)
        for url in case_pages(other):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(reverse("cases:case-open", args=[other.household_id]))
                         .status_code, 404)  # fmt: skip

    def test_the_team_pages_are_not_found_for_caseworkers_and_other_roles(self) -> None:
        pages = [reverse("cases:team"), reverse("cases:report-care")]
        for name in ("alice", "carol", "dave", "erin", "grace", "heidi"):
            self.client.force_login(getattr(self, name))
            for url in pages:
                with self.subTest(user=name, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        api = APIClient()
        api.force_authenticate(self.alice)
        self.assertEqual(api.get("/api/v1/reports/alternative-care/").status_code, 404)

    def test_a_caseworker_sees_the_teams_cases_when_the_programme_allows_it(self) -> None:
        open_case(self.alice, self.household)
        self.assertEqual(list(selectors.case_list(user=self.carol)), [])
        self.carol.team.programme.settings = {"caseworkers_see_team": True}
        self.carol.team.programme.save(update_fields=["settings"])
        self.carol.refresh_from_db()
        other = open_case(self.carol, self.other_team_household())
        self.assertEqual(list(selectors.case_list(user=self.carol)), [other])
