"""`oila rotate-keys`: every encrypted column of every model, and every encrypted upload, under the
newest key; batched, with progress, idempotent (ASVS 6.2.4, 6.4.1, 6.4.2)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.db import connection

from oila.audit.services import verify_chain
from oila.common import crypto
from oila.common.rotation import encrypted_columns
from oila.registry import services as registry
from oila.registry.models import CareArrangement, Household, Person
from tests.common.test_crypto import NEW_KEY, OLD_KEY, KeysTestCase, raw_column

NOTES = "Onasi Qozog'istonda ishlaydi"
CARE = "Buvisi bilan yashaydi, maktabga bormaydi"
PINFL = "52705034560012"


class RotateKeysTests(KeysTestCase):
    def plant(self) -> tuple[Household, Person, CareArrangement]:
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Yusupovlar", "district": self.urganch, "economic_notes": NOTES},
            members=[
                {"given_name": "Zafar", "family_name": "Yusupov", "sex": "male", "pinfl": PINFL},
                {
                    "given_name": "Malika",
                    "family_name": "Yusupova",
                    "sex": "female",
                    "birth_date": dt.date(2015, 1, 2),
                },
            ],
        )
        person = Person.objects.get(given_name="Zafar")
        child = Person.objects.get(given_name="Malika")
        care = registry.care_arrangement_record(
            actor=self.alice,
            person=child,
            data={"type": "informal_kinship", "started_on": dt.date(2024, 1, 1), "notes": CARE},
        )
        return household, person, care

    def rotate(self, *args: str) -> str:
        out = StringIO()
        call_command("rotate-keys", *args, stdout=out)
        return out.getvalue()

    def test_it_finds_every_encrypted_column(self) -> None:
        found = {f"{m._meta.label}.{name}" for m, names in encrypted_columns() for name in names}
        self.assertTrue(
            {
                "registry.Household.economic_notes",
                "registry.Person.pinfl",
                "registry.CareArrangement.notes",
            }
            <= found,
            found,
        )

    def test_it_reencrypts_everything_under_the_new_key(self) -> None:
        self.use_keys(OLD_KEY)
        household, person, care = self.plant()
        before = {
            "notes": raw_column(Household, "economic_notes", household.pk),
            "pinfl": raw_column(Person, "pinfl", person.pk),
            "care": raw_column(CareArrangement, "notes", care.pk),
        }
        updated_at = Household.objects.get(pk=household.pk).updated_at
        self.use_keys(NEW_KEY, OLD_KEY)
        out = self.rotate()
        self.assertIn("registry.Household (economic_notes)", out)
        self.use_keys(NEW_KEY)  # the old key retired
        self.assertEqual(Household.objects.get(pk=household.pk).economic_notes, NOTES)
        self.assertEqual(Person.objects.get(pk=person.pk).pinfl, PINFL)
        self.assertEqual(CareArrangement.objects.get(pk=care.pk).notes, CARE)
        self.assertNotEqual(raw_column(Household, "economic_notes", household.pk), before["notes"])
        self.assertNotEqual(raw_column(Person, "pinfl", person.pk), before["pinfl"])
        self.assertNotEqual(raw_column(CareArrangement, "notes", care.pk), before["care"])
        # Ciphertext only: the record did not change, and the audit chain is as it was.
        self.assertEqual(Household.objects.get(pk=household.pk).updated_at, updated_at)
        self.assertTrue(verify_chain().ok)

    def test_a_second_run_changes_nothing(self) -> None:
        self.use_keys(OLD_KEY)
        household, _, _ = self.plant()
        self.use_keys(NEW_KEY, OLD_KEY)
        first = self.rotate()
        self.assertNotIn("Done: 0 values re-encrypted", first)
        stored = raw_column(Household, "economic_notes", household.pk)
        second = self.rotate()
        self.assertIn("Done: 0 values re-encrypted", second)
        self.assertEqual(raw_column(Household, "economic_notes", household.pk), stored)

    def test_it_encrypts_plain_values_left_from_before_encryption(self) -> None:
        self.use_keys(NEW_KEY)
        household, _, _ = self.plant()
        table = connection.ops.quote_name(Household._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET economic_notes = %s WHERE id = %s",
                [
                    "plain legacy note",
                    Household._meta.pk.get_db_prep_value(household.pk, connection),
                ],
            )
        self.rotate()
        stored = raw_column(Household, "economic_notes", household.pk)
        self.assertTrue(stored.startswith(crypto.PREFIX))
        self.assertEqual(Household.objects.get(pk=household.pk).economic_notes, "plain legacy note")

    def test_it_works_in_batches_and_reports_progress(self) -> None:
        self.use_keys(OLD_KEY)
        self.plant()
        self.use_keys(NEW_KEY, OLD_KEY)
        out = self.rotate("--batch-size", "1")
        people = Person.objects.count()
        self.assertIn(f"registry.Person (pinfl): {people}/{people}", out)
        self.assertIn(f"registry.Person (pinfl): 1/{people}", out)
