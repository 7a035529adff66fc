"""The home page's "what is due" at scale: counts per list, team and kind, the most urgent few of
each list (cases.selectors.due_overview), and the full list page by page (cases:due)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from oila.cases import services
from oila.cases.selectors import due_items, due_overview
from tests.cases.factories import child_case, open_case
from tests.registry.test_views import EnglishPages, register

TASHKENT = ZoneInfo("Asia/Tashkent")
OPENED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=TASHKENT)
DUE = reverse("cases:due")


class DueOverviewTests(EnglishPages):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with time_machine.travel(OPENED, tick=False):
            for i, risk in enumerate(("high", "medium", "low", "high", "medium")):
                household = register(cls.alice, f"Oila {i}", cls.urganch)
                open_case(cls.alice, household, risk=risk)
            case = child_case(cls.alice, cls.household, cls.child)
            services.gatekeeping_record(
                actor=cls.alice, case=case, child=cls.child, proposed_care="foster",
                necessity="x", suitability="y", alternatives_considered=["parental"],
                decision="placement_made", decided_on=dt.date(2025, 1, 1),
            )  # fmt: skip

    def test_it_gives_the_same_lists_as_loading_every_deadline(self) -> None:
        for day in (
            dt.date(2026, 3, 2),
            dt.date(2026, 3, 5),
            dt.date(2026, 3, 12),
            dt.date(2026, 4, 30),
        ):
            with self.subTest(day=day):
                full = due_items(user=self.alice, today=day)
                overview = due_overview(user=self.alice, today=day)
                for bucket in ("overdue", "today", "week"):
                    self.assertEqual(getattr(overview, bucket), getattr(full, bucket))
                    self.assertEqual(overview.total(bucket), len(getattr(full, bucket)))
                self.assertEqual(overview.count, full.count)

    def test_it_counts_everything_but_shows_only_the_most_urgent(self) -> None:
        day = dt.date(2026, 4, 30)
        full = due_items(user=self.alice, today=day)
        self.assertGreater(len(full.overdue), 3)
        overview = due_overview(user=self.alice, today=day, shown=3)
        self.assertEqual(overview.overdue, full.overdue[:3])
        self.assertEqual(overview.total("overdue"), len(full.overdue))
        kinds = Counter(item.kind for item in full.overdue)
        self.assertEqual({c.key: c.overdue for c in overview.by_kind}, dict(kinds))
        self.assertIn("placement_review", kinds)
        self.assertEqual(
            [(c.label, c.overdue) for c in overview.by_team],
            [(self.alice.team.name, len(full.overdue))],
        )

    def test_another_teams_caseworker_sees_nothing_of_them(self) -> None:
        overview = due_overview(user=self.carol, today=dt.date(2026, 4, 30))
        self.assertEqual((overview.count, overview.by_team, overview.overdue), (0, [], []))

    def test_the_full_list_pages_through_one_kind_of_deadline(self) -> None:
        with time_machine.travel(dt.datetime(2026, 4, 30, 10, tzinfo=TASHKENT)):
            self.client.force_login(self.alice)
            response = self.client.get(DUE, {"kind": "visit", "list": "overdue"})
            numbers = [case.number for case in response.context["page"].object_list]
            expected = [
                i.case_number
                for i in due_items(user=self.alice, today=dt.date(2026, 4, 30)).overdue
                if i.kind == "visit"
            ]
            self.assertEqual(numbers, expected)
            self.assertContains(response, f"{len(expected)} deadlines")
            response = self.client.get(DUE, {"kind": "placement_review", "list": "overdue"})
            self.assertContains(response, self.child.full_name)
            self.assertContains(response, "1 deadline")

    def test_the_full_list_hides_other_teams_cases_and_refuses_other_roles(self) -> None:
        with time_machine.travel(dt.datetime(2026, 4, 30, 10, tzinfo=TASHKENT)):
            self.client.force_login(self.carol)
            response = self.client.get(DUE, {"kind": "visit", "list": "overdue"})
            self.assertContains(response, "0 deadlines")
            self.client.force_login(self.erin)
            self.assertEqual(self.client.get(DUE).status_code, 404)

    def test_an_unknown_choice_shows_the_error_and_the_default_list(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(DUE, {"kind": "everything", "list": "overdue"})
        self.assertEqual(response.context["kind"], "visit")
        self.assertContains(response, "Select a valid choice")

    def test_the_home_page_links_each_count_to_its_full_list(self) -> None:
        with time_machine.travel(dt.datetime(2026, 4, 30, 10, tzinfo=TASHKENT)):
            self.client.force_login(self.alice)
            response = self.client.get(reverse("web:home"))
        self.assertContains(response, f"{DUE}?kind=visit&amp;list=overdue")
