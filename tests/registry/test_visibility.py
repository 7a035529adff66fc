from __future__ import annotations

from django.http import Http404

from oila.audit.models import AuditEvent
from oila.registry import selectors
from oila.registry.selectors import HouseholdFilters
from tests.base import OilaTestCase


class HouseholdVisibilityTests(OilaTestCase):
    def test_each_role_sees_what_the_roles_table_says(self) -> None:
        other = self.other_team_household()
        expected = {
            self.alice: {self.household.pk},
            self.bob: {self.household.pk},
            self.carol: {other.pk},
            self.frank: {self.household.pk, other.pk},
            self.dave: set(),
            self.erin: set(),
            self.grace: set(),
            self.heidi: set(),
        }
        for user, ids in expected.items():
            with self.subTest(user=user.username):
                seen = set(selectors.household_list(user=user).values_list("pk", flat=True))
                self.assertEqual(seen, ids)
                people = set(selectors.person_list(user=user).values_list("programme", flat=True))
                self.assertEqual(bool(people), bool(ids))

    def test_out_of_scope_is_a_404_not_a_403(self) -> None:
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                with self.assertRaises(Http404):
                    selectors.household_get(user=user, household_id=self.household.pk)
                with self.assertRaises(Http404):
                    selectors.person_get(user=user, person_id=self.child.pk)

    def test_a_caseworker_sees_the_team_only_when_the_programme_allows(self) -> None:
        colleague_household = self.other_team_household()
        colleague_household.team = self.team_a  # as if carol had joined team A's work
        colleague_household.save(update_fields=["team"])
        self.assertNotIn(colleague_household, selectors.household_list(user=self.alice))
        self.programme.settings = {"caseworkers_see_team": True}
        self.programme.save(update_fields=["settings"])
        self.alice.refresh_from_db()
        self.assertIn(colleague_household, selectors.household_list(user=self.alice))

    def test_a_disabled_account_sees_nothing(self) -> None:
        self.alice.is_active = False
        self.assertFalse(selectors.household_list(user=self.alice).exists())

    def test_an_invalid_id_is_a_404(self) -> None:
        with self.assertRaises(Http404):
            selectors.household_get(user=self.alice, household_id="not-a-uuid")

    def test_reading_a_record_writes_one_read_event(self) -> None:
        before = AuditEvent.objects.count()
        selectors.person_get(user=self.alice, person_id=self.child.pk)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        self.assertEqual(
            (event.kind, event.action, event.actor_username), ("read", "person.view", "alice")
        )
        self.assertEqual(event.target_id, str(self.child.pk))


class HouseholdSearchTests(OilaTestCase):
    def test_it_finds_a_latin_name_typed_in_cyrillic_and_back(self) -> None:
        for q in ("Шаҳноза", "shahnoza", "SHAHNOZA KARIMOVA", "Каримова"):
            with self.subTest(q=q):
                found = selectors.household_list(user=self.alice, filters=HouseholdFilters(q=q))
                self.assertEqual(list(found), [self.household])

    def test_it_filters_by_group_and_status(self) -> None:
        found = selectors.household_list(
            user=self.alice, filters=HouseholdFilters(group="vulnerable_child", status="active")
        )
        self.assertEqual(list(found), [self.household])
        none = selectors.household_list(user=self.alice, filters=HouseholdFilters(group="youth"))
        self.assertEqual(list(none), [])

    def test_the_list_counts_current_members(self) -> None:
        self.assertEqual(selectors.household_list(user=self.alice).get().member_count, 2)
