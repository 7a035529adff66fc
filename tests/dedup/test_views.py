"""The review queue: who may and who may not, deciding, merging and undoing from the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from oila.dedup.models import DuplicateCandidate, Merge
from oila.registry import services as registry
from oila.registry.models import Person
from tests.registry.test_views import EnglishPages

QUEUE = reverse("dedup:queue")


class ReviewQueueTests(EnglishPages):
    def setUp(self) -> None:
        super().setUp()
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Каримовлар", "district": self.urganch},
            members=[{"given_name": "Шаҳноза", "family_name": "Каримова", "sex": "female",
                      "birth_date": dt.date(2014, 5, 20), "relationship": "child"}],
        )  # fmt: skip
        self.duplicate = household.memberships.get().person
        a, b = sorted((self.child, self.duplicate), key=lambda p: str(p.pk))
        self.pair = DuplicateCandidate.objects.create(
            person_a=a, person_b=b, score=0.98, source="scan",
            reasons=["name_cross_script", "dob_same", "same_district"],
        )  # fmt: skip

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"dedup:{name}", args=args)

    def test_it_lists_the_teams_pairs_for_its_supervisor_and_the_manager(self) -> None:
        for user in (self.bob, self.frank):
            self.client.force_login(user)
            response = self.client.get(QUEUE)
            self.assertContains(response, "name matches across scripts")
            self.assertEqual(list(response.context["page"].object_list), [self.pair])

    def test_it_is_not_for_caseworkers_or_other_roles(self) -> None:
        for user in (self.alice, self.carol, self.dave, self.erin, self.grace, self.heidi):
            self.client.force_login(user)
            self.assertEqual(self.client.get(QUEUE).status_code, 404, user)
            self.assertEqual(self.client.get(self.url("candidate", self.pair.pk)).status_code, 404)

    def test_it_hides_pairs_with_a_person_outside_the_supervisors_team(self) -> None:
        Person.objects.filter(pk=self.duplicate.pk).update(team=self.team_b)
        self.client.force_login(self.bob)
        self.assertEqual(list(self.client.get(QUEUE).context["page"].object_list), [])
        self.assertEqual(self.client.get(self.url("candidate", self.pair.pk)).status_code, 404)

    def test_it_shows_the_two_records_side_by_side(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url("candidate", self.pair.pk))
        self.assertContains(response, "Шаҳноза")
        self.assertContains(response, "Shahnoza")
        self.assertContains(response, "Karimovlar")

    def test_it_remembers_not_the_same_person(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.url("not-same", self.pair.pk), {"note": "cousins"})
        self.assertRedirects(response, QUEUE)
        self.pair.refresh_from_db()
        self.assertEqual((self.pair.status, self.pair.decided_by), ("not_same", self.bob))
        self.assertEqual(list(self.client.get(QUEUE).context["page"].object_list), [])

    def test_it_merges_into_the_chosen_record_and_undoes_it(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(
            self.url("merge", self.pair.pk), {"survivor": str(self.child.pk), "note": "same girl"}
        )
        self.assertRedirects(response, self.child.get_absolute_url())
        self.duplicate.refresh_from_db()
        self.assertEqual(self.duplicate.merged_into, self.child)
        # The merged record's page now leads to the survivor.
        self.assertRedirects(
            self.client.get(self.duplicate.get_absolute_url()), self.child.get_absolute_url()
        )
        merge = Merge.objects.get()
        self.assertContains(self.client.get(QUEUE), self.url("undo", merge.pk))
        self.assertRedirects(self.client.post(self.url("undo", merge.pk)), QUEUE)
        self.duplicate.refresh_from_db()
        self.assertIsNone(self.duplicate.merged_into)

    def test_it_refuses_a_merge_without_a_survivor(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(self.url("merge", self.pair.pk), {"survivor": "nobody"})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Merge.objects.exists())

    def test_it_pins_the_queues_query_count(self) -> None:
        self.client.force_login(self.bob)
        self.client.get(QUEUE)
        for index in range(3):
            other = registry.person_create(
                actor=self.alice, data={"given_name": f"Malika{'a' * index}", "family_name": "Yusupova",
                                        "sex": "female"}, household=self.household,
            )  # fmt: skip
            a, b = sorted((self.child, other), key=lambda p: str(p.pk))
            DuplicateCandidate.objects.create(person_a=a, person_b=b, score=0.6, source="scan")
        # session, user+bell, count, the page of pairs (people joined), recent merges
        with self.assertNumQueries(5):
            self.client.get(QUEUE)
