"""oila.common.queries: the capped paginator of long lists and the index-friendly IN (subquery)."""

from __future__ import annotations

from functools import partial
from unittest import mock

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oila.common.queries import CappedPaginator, InSubquery
from oila.registry.models import Household
from tests.registry.test_views import EnglishPages, register


class CappedPaginatorTests(EnglishPages):
    def setUp(self) -> None:
        super().setUp()
        for name in ("Aliyevlar", "Bekchanovlar", "Davletovlar"):
            register(self.alice, name, self.urganch)

    def test_it_counts_up_to_the_cap_and_says_it_stopped(self) -> None:
        households = Household.objects.order_by("name")
        capped = CappedPaginator(households, 2, cap=3)
        self.assertEqual((capped.count, capped.capped, capped.num_pages), (3, True, 2))
        exact = CappedPaginator(households, 2, cap=4)
        self.assertEqual((exact.count, exact.capped), (4, False))
        self.assertEqual(
            [h.name for h in capped.page(2)], ["Davletovlar"]
        )  # the first `cap` rows only, in order

    def test_it_counts_in_one_query_with_a_limit(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(CappedPaginator(Household.objects.all(), 2, cap=3).count, 3)
        self.assertEqual(len(queries), 1)
        self.assertIn("LIMIT 4", queries[0]["sql"])

    def test_a_first_page_that_holds_the_whole_list_needs_no_count(self) -> None:
        every = [h.name for h in Household.objects.order_by("name")]
        for number in (None, "", "1", "x", 1.5):
            with self.subTest(number=number), CaptureQueriesContext(connection) as queries:
                paginator = CappedPaginator(Household.objects.order_by("name"), 5, cap=100)
                page = paginator.get_page(number)
                names = [h.name for h in page]
                self.assertEqual((page.number, paginator.count, paginator.num_pages), (1, 4, 1))
                self.assertFalse(page.has_next())
            self.assertEqual(len(queries), 1)
            self.assertIn("LIMIT 6", queries[0]["sql"])
            self.assertEqual(names, every)

    def test_a_longer_list_is_counted_with_its_first_page(self) -> None:
        every = [h.name for h in Household.objects.order_by("name")]
        with CaptureQueriesContext(connection) as queries:
            paginator = CappedPaginator(Household.objects.order_by("name"), 2, cap=3)
            page = paginator.get_page(None)
            self.assertTrue(paginator.capped)  # known before the template asks for the count
            self.assertEqual((paginator.count, paginator.num_pages), (3, 2))
            self.assertEqual([h.name for h in page], every[:2])
            self.assertTrue(page.has_next())
        self.assertEqual(len(queries), 2)
        second = CappedPaginator(Household.objects.order_by("name"), 2, cap=100).get_page("2")
        self.assertEqual([h.name for h in second], every[2:4])

    def test_the_household_list_says_more_than_the_cap(self) -> None:
        self.client.force_login(self.frank)
        url = reverse("registry:households")
        self.assertContains(self.client.get(url), "4 households")
        with mock.patch(
            "oila.registry.views.households.CappedPaginator", partial(CappedPaginator, cap=3)
        ):
            response = self.client.get(url, {"page": 1})
        self.assertContains(response, "More than 3 households: the first 3 are shown.")
        self.assertNotContains(response, "4 households")


class InSubqueryTests(EnglishPages):
    def test_it_finds_the_same_rows_as_in(self) -> None:
        theirs = self.other_team_household()
        ids = Household.objects.filter(name__startswith="Xudoy").values("pk")
        expected = set(Household.objects.filter(Q(caseworker=self.alice) | Q(pk__in=ids)))
        found = set(Household.objects.filter(Q(caseworker=self.alice) | Q(InSubquery("pk", ids))))
        self.assertEqual(found, expected)
        self.assertEqual(found, {self.household, theirs})
        nobody = Household.objects.filter(name="Nobody").values("pk")
        self.assertFalse(Household.objects.filter(InSubquery("pk", nobody)).exists())

    def test_it_is_an_array_on_postgresql(self) -> None:
        query = str(
            Household.objects.filter(InSubquery("pk", Household.objects.values("pk"))).query
        )
        if connection.vendor == "postgresql":
            self.assertIn("= ANY(ARRAY(SELECT", query)
        else:
            self.assertIn(" IN (SELECT", query)


class PostgresSettingsTests(EnglishPages):
    def test_jit_is_off_for_oilas_connections(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("a PostgreSQL setting")
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            self.assertEqual(cursor.fetchone()[0], "off")
