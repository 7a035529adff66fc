"""The case pages: who may and who may not, bad input (422, nothing changed), query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from oila.accounts.models import Notification
from oila.cases import services
from oila.cases.models import Case, GatekeepingDecision, Visit
from oila.common.dates import today
from oila.registry import services as registry
from tests.base import with_audit
from tests.cases.factories import child_case, open_case, request_closure, sharing_consent
from tests.registry.test_views import EnglishPages, register

LIST = reverse("cases:cases")
HOME = reverse("web:home")


class CaseListTests(EnglishPages):
    def numbers(self, user: Any, **params: Any) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(LIST, params)
        self.assertEqual(response.status_code, 200)
        return [c.number for c in response.context["page"].object_list]

    def test_it_lists_the_open_cases_the_user_may_see(self) -> None:
        case = open_case(self.alice, self.household)
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.assertEqual(self.numbers(user), [case.number])
        self.assertEqual(self.numbers(self.carol), [])

    def test_it_is_not_found_for_roles_that_do_not_work_with_cases(self) -> None:
        for name in ("dave", "erin", "grace", "heidi"):
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(LIST).status_code, 404)

    def test_it_filters_by_status_risk_step_and_overdue(self) -> None:
        family = open_case(self.alice, self.household, risk="low")
        child = child_case(self.alice, self.household, self.child, risk="high",
                           identified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
        services.case_assessment_recorded(
            actor=self.alice, case=family, assessed_on=today(), is_csi=True
        )
        self.assertEqual(self.numbers(self.alice, risk="high"), [child.number])
        self.assertEqual(self.numbers(self.alice, step=3), [family.number])
        self.assertEqual(self.numbers(self.alice, overdue="on"), [child.number])
        self.assertEqual(self.numbers(self.alice, status="closed"), [])
        self.assertEqual(self.numbers(self.alice, q=child.number), [child.number])
        self.assertEqual(self.numbers(self.alice, q="shahnoza"), [child.number])

    def test_it_is_paginated(self) -> None:
        for i in range(26):
            open_case(self.alice, register(self.alice, f"Oila {i}", self.urganch))
        self.client.force_login(self.alice)
        response = self.client.get(LIST)
        self.assertEqual(len(response.context["page"].object_list), 25)
        self.assertContains(response, "Page 1 of 2")

    def test_its_query_count_does_not_grow_with_the_number_of_cases(self) -> None:
        open_case(self.alice, self.household)
        self.client.force_login(self.alice)
        # session, user+team+programme+bell (visibility), count, one page of cases
        with self.assertNumQueries(4):
            self.client.get(LIST, {"risk": "medium", "step": 1})
        for i in range(5):
            open_case(self.alice, register(self.alice, f"Oila {i}", self.urganch))
        child_case(self.alice, self.household, self.child)
        with self.assertNumQueries(4):
            response = self.client.get(LIST)
        self.assertEqual(len(response.context["page"].object_list), 7)


class CasePageTests(EnglishPages):
    def setUp(self) -> None:
        super().setUp()
        self.case = open_case(self.alice, self.household, risk="high")

    def test_it_shows_the_case_its_timeline_and_the_links_to_the_other_steps(self) -> None:
        services.visit_record(actor=self.alice, case=self.case, on=today(), kind="home",
                              narrative="Met the mother.", participants="mother")  # fmt: skip
        self.client.force_login(self.alice)
        response = self.client.get(self.case.get_absolute_url())
        self.assertContains(response, self.case.number)
        self.assertContains(response, "Karimovlar")
        self.assertContains(response, "Met the mother.")
        self.assertContains(response, f"Case {self.case.number} opened; risk level: high.")
        for path in ("assessments/", "plan/", "close/"):
            self.assertContains(response, f'href="/cases/{self.case.pk}/{path}"')
        self.assertNotContains(response, reverse("cases:reassign", args=[self.case.pk]))

    def test_the_supervisor_sees_the_decisions(self) -> None:
        request_closure(self.alice, self.case)
        self.client.force_login(self.bob)
        response = self.client.get(self.case.get_absolute_url())
        self.assertContains(response, reverse("cases:reassign", args=[self.case.pk]))
        self.assertContains(response, reverse("cases:closure-decide", args=[self.case.pk]))

    def test_the_read_is_audited_once(self) -> None:
        from oila.audit.models import AuditEvent

        self.client.force_login(self.bob)
        self.client.get(self.case.get_absolute_url())
        self.assertEqual(AuditEvent.objects.filter(action="case.view").count(), 1)

    def test_its_query_count_does_not_grow_with_the_timeline(self) -> None:
        self.client.force_login(self.alice)
        # session, user+team+programme+bell, the case, audit (savepoint, last event, insert,
        # release), children, events, visits, gatekeeping, placements (a caseworker's "may
        # decide" needs none)
        with self.assertNumQueries(with_audit(12)):
            self.client.get(self.case.get_absolute_url())
        for i in range(4):
            services.visit_record(actor=self.alice, case=self.case, on=today(), kind="home",
                                  narrative=f"Visit {i}.")  # fmt: skip
        with self.assertNumQueries(with_audit(12)):
            self.client.get(self.case.get_absolute_url())


class CaseOpenPageTests(EnglishPages):
    def url(self) -> str:
        return reverse("cases:case-open", args=[self.household.pk])

    def test_the_household_page_links_to_it(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.household.get_absolute_url()), self.url())

    def test_it_opens_a_child_case(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {
            "kind": "child", "subject": self.child.pk, "risk": "high",
            "identified_on": today().isoformat(),
        })  # fmt: skip
        case = Case.objects.get()
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual((case.subject, case.risk), (self.child, "high"))

    def test_bad_input_is_422_and_opens_nothing(self) -> None:
        self.client.force_login(self.alice)
        for data in (
            {"kind": "child", "risk": "high", "identified_on": today().isoformat()},
            {"kind": "family", "risk": "high",
             "identified_on": (today() + dt.timedelta(days=1)).isoformat()},
        ):  # fmt: skip
            with self.subTest(data=data):
                response = self.client.post(self.url(), data)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, "Nothing was saved", status_code=422)
        open_case(self.alice, self.household)
        response = self.client.post(self.url(), {
            "kind": "family", "risk": "low", "identified_on": today().isoformat()})  # fmt: skip
        self.assertContains(response, "already an open case", status_code=422)
        self.assertEqual(Case.objects.count(), 1)

    def test_other_roles_and_teams_get_404(self) -> None:
        for name in ("carol", "dave", "erin", "grace", "heidi"):
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(self.url()).status_code, 404)


class VisitPageTests(EnglishPages):
    def setUp(self) -> None:
        super().setUp()
        self.case = open_case(self.alice, self.household)
        self.url = reverse("cases:visit-new", args=[self.case.pk])

    def test_the_form_is_short_and_dated_today(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        form = response.context["form"]
        self.assertEqual(
            list(form.fields), ["on", "kind", "participants", "narrative", "next_steps"]
        )
        self.assertEqual(form["on"].value(), today())
        self.assertContains(response, 'type="date"')

    def test_it_records_a_visit(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {
            "on": today().isoformat(), "kind": "school", "narrative": "Talked to the teacher.",
        })  # fmt: skip
        self.assertRedirects(response, self.case.get_absolute_url())
        self.assertEqual(Visit.objects.get().kind, "school")

    def test_a_future_date_is_422_and_saves_nothing(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {
            "on": (today() + dt.timedelta(days=1)).isoformat(), "kind": "home", "narrative": "x",
        })  # fmt: skip
        self.assertContains(response, "cannot be in the future", status_code=422)
        self.assertFalse(Visit.objects.exists())


class DecisionPageTests(EnglishPages):
    def setUp(self) -> None:
        super().setUp()
        self.case = open_case(self.alice, self.household)

    def test_the_supervisor_approves_a_closure(self) -> None:
        request_closure(self.alice, self.case)
        url = reverse("cases:closure-decide", args=[self.case.pk])
        self.client.force_login(self.bob)
        response = self.client.get(url)
        self.assertContains(response, "no longer requires support (goals met)")
        self.assertContains(response, "graduates the family")
        response = self.client.post(url, {"approve": "yes", "comment": ""})
        self.assertRedirects(response, self.case.get_absolute_url())
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSED)

    def test_sending_back_without_a_comment_is_422(self) -> None:
        request_closure(self.alice, self.case)
        self.client.force_login(self.bob)
        url = reverse("cases:closure-decide", args=[self.case.pk])
        response = self.client.post(url, {"approve": "no", "comment": ""})
        self.assertContains(response, "Say why", status_code=422)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSURE_REQUESTED)

    def test_a_caseworker_may_not_decide_reassign_or_transfer(self) -> None:
        request_closure(self.alice, self.case)
        self.client.force_login(self.alice)
        for name in ("closure-decide", "reassign", "transfer"):
            url = reverse(f"cases:{name}", args=[self.case.pk])
            with self.subTest(page=name):
                self.assertEqual(self.client.get(url).status_code, 403)
                self.assertEqual(self.client.post(url, {"approve": "yes"}).status_code, 403)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSURE_REQUESTED)

    def test_the_supervisor_reassigns_with_a_reason(self) -> None:
        self.client.force_login(self.bob)
        url = reverse("cases:reassign", args=[self.case.pk])
        response = self.client.post(url, {"caseworker": self.carol.pk, "reason": ""})
        self.assertEqual(response.status_code, 422)
        response = self.client.post(url, {"caseworker": self.carol.pk, "reason": "Leave."})
        # The case went to carol's team: bob goes back to his team's page.
        self.assertRedirects(response, reverse("cases:team"))
        self.assertTrue(Notification.objects.filter(user=self.carol).exists())

    def test_a_transfer_without_consent_names_the_missing_consent(self) -> None:
        self.client.force_login(self.bob)
        url = reverse("cases:transfer", args=[self.case.pk])
        data = {"organisation": self.partner_org.pk, "reason": "School support."}
        response = self.client.post(url, data)
        self.assertContains(response, "adult caregiver of Karimovlar", status_code=422)
        sharing_consent(self.alice, self.household.memberships.get(relationship="head").person)
        self.assertRedirects(self.client.post(url, data), self.case.get_absolute_url())

    def test_reopen_needs_a_reason(self) -> None:
        request_closure(self.alice, self.case, reason="refused")
        services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        self.client.force_login(self.alice)
        url = reverse("cases:reopen", args=[self.case.pk])
        self.assertEqual(self.client.post(url, {"reason": ""}).status_code, 422)
        self.assertRedirects(
            self.client.post(url, {"reason": "Back."}), self.case.get_absolute_url()
        )

    def test_gatekeeping_and_care_change_pages(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        self.client.force_login(self.alice)
        url = reverse("cases:gatekeeping-new", args=[case.pk])
        response = self.client.post(url, {
            "child": self.child.pk, "proposed_care": "residential", "necessity": "Needed.",
            "decision": "placement_made", "decided_on": today().isoformat(),
        })  # fmt: skip
        self.assertContains(response, "alternatives were considered", status_code=422)
        response = self.client.post(url, {
            "child": self.child.pk, "proposed_care": "residential", "necessity": "Not needed.",
            "alternatives_considered": ["informal_kinship"], "decision": "family_support",
            "decided_on": today().isoformat(),
        })  # fmt: skip
        self.assertRedirects(response, case.get_absolute_url())
        self.assertEqual(GatekeepingDecision.objects.get().decision, "family_support")
        url = reverse("cases:care-change", args=[case.pk])
        response = self.client.post(url, {"child": self.child.pk, "care_type": "foster",
                                           "started_on": today().isoformat()})  # fmt: skip
        self.assertContains(response, "gatekeeping decision", status_code=422)
        registry.care_arrangement_record(
            actor=self.alice, person=self.child,
            data={"type": "residential", "started_on": dt.date(2025, 1, 1)},
        )  # fmt: skip
        response = self.client.post(url, {"child": self.child.pk, "care_type": "parental",
                                           "started_on": today().isoformat()})  # fmt: skip
        self.assertRedirects(response, case.get_absolute_url())


class HomePageTests(EnglishPages):
    def test_it_shows_what_is_overdue_due_today_and_this_week(self) -> None:
        late = open_case(self.alice, self.household, risk="high",
                         identified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
        self.client.force_login(self.alice)
        response = self.client.get(HOME)
        due = response.context["due"]
        self.assertIn(("assessment", late.number), {(i.kind, i.case_number) for i in due.overdue})
        self.assertContains(response, "Overdue")
        self.assertContains(response, "Initial assessment · Karimovlar")
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(HOME).context["due"].count, 0)

    def test_its_query_count_does_not_grow_with_the_number_of_cases(self) -> None:
        self.client.force_login(self.alice)
        # session, user+team+programme+bell, household count, recent households, deadlines counted
        # per team and kind, due placements, due youth follow-ups
        with self.assertNumQueries(7):
            self.client.get(HOME)
        case = child_case(self.alice, self.household, self.child)
        services.gatekeeping_record(
            actor=self.alice, case=case, child=self.child, proposed_care="foster",
            necessity="x", suitability="y", alternatives_considered=["parental"],
            decision="placement_made", decided_on=dt.date(2025, 1, 1),
        )  # fmt: skip
        # once something is due: the due cases shown, the due placements' cases (their numbers,
        # workers and teams: cheaper than ten more subqueries), the names of the placed children
        with self.assertNumQueries(10):
            self.client.get(HOME)
        for i in range(4):
            open_case(self.alice, register(self.alice, f"Oila {i}", self.urganch), risk="high",
                      identified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
        with self.assertNumQueries(10):
            response = self.client.get(HOME)
        self.assertGreaterEqual(len(response.context["due"].overdue), 5)


class TeamDashboardTests(EnglishPages):
    url = reverse("cases:team")

    def test_it_shows_each_workers_caseload_and_overdue_items(self) -> None:
        open_case(self.alice, self.household, risk="high",
                  identified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
        child_case(self.alice, self.household, self.child, risk="low")
        self.client.force_login(self.bob)
        board = self.client.get(self.url).context["board"]
        rows = {(r.worker.username, r.open_cases, r.high_risk, r.overdue) for r in board.workers}
        self.assertEqual(rows, {("alice", 2, 1, 1)})  # the initial assessment is late

    def test_the_manager_sees_every_team(self) -> None:
        open_case(self.carol, self.other_team_household())
        self.client.force_login(self.frank)
        board = self.client.get(self.url).context["board"]
        self.assertEqual({r.worker.username: r.open_cases for r in board.workers},
                         {"alice": 0, "carol": 1})  # fmt: skip

    def test_its_query_count_is_constant_in_workers_and_cases(self) -> None:
        self.client.force_login(self.frank)
        # session, user+bell, workers, caseload, due cases, due placements, closures
        with self.assertNumQueries(7):
            self.client.get(self.url)
        from oila.accounts.models import Role
        from tests.base import make_user

        for i in range(3):
            worker = make_user(f"worker{i}", Role.CASEWORKER, team=self.team_a)
            household = register(self.alice, f"Oila {i}", self.urganch)
            open_case(self.bob, household, caseworker=worker,
                      identified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
        request_closure(self.alice, open_case(self.alice, self.household))
        with self.assertNumQueries(7):
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["board"].workers), 5)
        self.assertEqual(len(response.context["board"].closures), 1)


class ReportPageTests(EnglishPages):
    def test_it_shows_the_figures_for_the_period(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        services.gatekeeping_record(
            actor=self.alice, case=case, child=self.child, proposed_care="residential",
            necessity="x", decision="placement_prevented", decided_on=dt.date(2026, 2, 3),
        )  # fmt: skip
        self.client.force_login(self.bob)
        response = self.client.get(reverse("cases:report-care"),
                                   {"start": "2026-01-01", "end": "2026-03-31"})  # fmt: skip
        self.assertEqual(response.context["report"].total.prevented_total, 1)
        self.assertContains(response, "February 2026")


class EveryPageRendersTests(EnglishPages):
    def test_every_case_page_renders_for_who_may_use_it(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        placement = services.gatekeeping_record(
            actor=self.alice, case=case, child=self.child, proposed_care="foster",
            necessity="x", suitability="y", alternatives_considered=["parental"],
            decision="placement_made", decided_on=dt.date(2026, 1, 5),
        ).placement  # fmt: skip
        request_closure(self.alice, case, reason="criteria")
        pages = {
            self.alice: [
                reverse("cases:case-open", args=[self.household.pk]),
                case.get_absolute_url(),
                reverse("cases:visit-new", args=[case.pk]),
                reverse("cases:risk", args=[case.pk]),
                reverse("cases:gatekeeping-new", args=[case.pk]),
                reverse("cases:care-change", args=[case.pk]),
                reverse("cases:placement-review", args=[case.pk, placement.pk]),
                reverse("cases:reopen", args=[case.pk]),
                LIST,
                HOME,
                reverse("web:notifications"),
            ],
            self.bob: [
                reverse("cases:reassign", args=[case.pk]),
                reverse("cases:transfer", args=[case.pk]),
                reverse("cases:closure-decide", args=[case.pk]),
                reverse("cases:team"),
                reverse("cases:report-care"),
                case.get_absolute_url(),
            ],
        }
        for user, urls in pages.items():
            self.client.force_login(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, '<meta name="viewport"')

    def test_opening_the_closure_decision_is_an_audited_read(self) -> None:
        from oila.audit.models import AuditEvent

        case = open_case(self.alice, self.household)
        request_closure(self.alice, case)
        self.client.force_login(self.bob)
        self.client.get(reverse("cases:closure-decide", args=[case.pk]))
        self.assertEqual(AuditEvent.objects.filter(action="case.view").count(), 1)
