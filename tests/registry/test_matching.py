"""The duplicate check at entry (registry.matching) and the blocking keys the services keep."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from oila.registry import services as registry
from oila.registry.matching import person_candidates
from oila.registry.models import Person
from tests.base import OilaTestCase

PINFL = "31234567890123"


class BlockingKeysTests(OilaTestCase):
    def test_it_stores_folded_keys_when_a_person_is_registered(self) -> None:
        child = Person.objects.get(pk=self.child.pk)
        self.assertEqual(child.fold_given, "shahnoza")
        self.assertEqual(child.fold_family, "karim")
        self.assertEqual(child.name_key, "karim shahnoza")
        self.assertEqual(child.sound_key, "krm shnz")

    def test_it_keeps_the_keys_current_when_the_name_changes(self) -> None:
        registry.person_update(
            actor=self.alice,
            person=self.child,
            data={"given_name": "Дилноза", "patronymic": "Шерзод қизи"},
        )
        child = Person.objects.get(pk=self.child.pk)
        self.assertEqual(child.fold_given, "dilnoza")
        self.assertEqual(child.fold_patronymic, "sherzod")
        self.assertEqual(child.name_key, "dilnoza karim")

    def test_it_refuses_a_name_in_an_unknown_script_with_a_message(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            registry.person_update(actor=self.alice, person=self.child, data={"given_name": "محمد"})
        self.assertIn("given_name", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            registry.person_update(actor=self.alice, person=self.child, data={"family_name": "  "})
        self.assertIn("family_name", caught.exception.message_dict)


class PersonCandidatesTests(OilaTestCase):
    def typed(self, **extra: object) -> dict[str, object]:
        return {
            "given_name": "Шаҳноза",
            "family_name": "Каримова",
            "sex": "female",
            "birth_date": dt.date(2014, 11, 2),
            **extra,
        }

    def test_it_finds_the_child_typed_in_the_other_script(self) -> None:
        [candidate] = person_candidates(user=self.alice, data=self.typed(), district=self.urganch)
        self.assertEqual(candidate.person_id, self.child.pk)
        self.assertTrue(candidate.visible)
        self.assertEqual(
            candidate.reasons, ("name_cross_script", "dob_within_year", "same_district")
        )
        self.assertEqual(
            candidate.reason_labels,
            ["name matches across scripts", "born within a year", "same district"],
        )
        self.assertGreaterEqual(candidate.score, 0.85)
        self.assertEqual(candidate.district, self.urganch)

    def test_it_finds_every_spelling_variant(self) -> None:
        for given, family in (
            ("Shaxnoza", "Karimova"),
            ("SHAHNOZA", "KARIMOVA"),
            ("Karimova", "Shahnoza"),  # swapped fields
            ("Şahnoza", "Karimova"),
        ):
            with self.subTest(given=given):
                found = person_candidates(
                    user=self.alice, data=self.typed(given_name=given, family_name=family)
                )
                self.assertEqual([c.person_id for c in found], [self.child.pk])

    def test_it_finds_the_same_pinfl_whatever_the_name(self) -> None:
        registry.person_update(actor=self.alice, person=self.child, data={"pinfl": PINFL})
        [candidate] = person_candidates(
            user=self.alice,
            data={
                "given_name": "Malika",
                "family_name": "Yusupova",
                "sex": "female",
                "pinfl": PINFL,
            },
        )
        self.assertEqual(candidate.person_id, self.child.pk)
        self.assertEqual(candidate.score, 1.0)
        self.assertIn("same_pinfl", candidate.reasons)

    def test_it_finds_a_day_and_month_swap(self) -> None:
        [candidate] = person_candidates(
            user=self.alice, data=self.typed(birth_date=dt.date(2014, 5, 20).replace(month=5))
        )
        self.assertIn("dob_same", candidate.reasons)
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Aliyevlar", "district": self.urganch},
            members=[{"given_name": "Bobur", "family_name": "Aliyev", "sex": "male",
                      "birth_date": dt.date(2012, 3, 7), "relationship": "head"}],
        )  # fmt: skip
        [candidate] = person_candidates(
            user=self.alice,
            data={"given_name": "Бобур", "family_name": "Алиев", "sex": "male",
                  "birth_date": dt.date(2012, 7, 3)},
        )  # fmt: skip
        self.assertIn("dob_swapped", candidate.reasons)
        self.assertEqual(candidate.person.memberships.get().household, household)

    def test_it_offers_nobody_for_someone_else(self) -> None:
        self.assertEqual(
            person_candidates(
                user=self.alice,
                data={
                    "given_name": "Malika",
                    "family_name": "Yusupova",
                    "sex": "female",
                    "birth_date": dt.date(2014, 5, 20),
                },
            ),
            [],
        )
        # Same name, born years apart: another child.
        self.assertEqual(
            person_candidates(user=self.alice, data=self.typed(birth_date=dt.date(2009, 1, 1))), []
        )
        self.assertEqual(
            person_candidates(user=self.alice, data={"given_name": "", "family_name": ""}), []
        )

    def test_it_does_not_offer_the_person_being_edited(self) -> None:
        self.assertEqual(
            person_candidates(user=self.alice, data=self.typed(), exclude=self.child), []
        )

    def test_it_shows_nothing_of_a_candidate_outside_the_users_scope(self) -> None:
        [candidate] = person_candidates(user=self.carol, data=self.typed())
        self.assertFalse(candidate.visible)
        self.assertIsNone(candidate.person)
        self.assertIsNone(candidate.district)

    def test_it_leaves_out_people_merged_into_another(self) -> None:
        other = registry.person_create(
            actor=self.alice, data={"given_name": "Dilshod", "family_name": "Karimov", "sex": "male"},
            household=self.household,
        )  # fmt: skip
        Person.objects.filter(pk=self.child.pk).update(merged_into=other)
        self.assertEqual(person_candidates(user=self.alice, data=self.typed()), [])

    def test_it_reads_the_registry_in_a_few_queries(self) -> None:
        with self.assertNumQueries(2):
            person_candidates(user=self.alice, data=self.typed(), district=self.urganch.pk)
