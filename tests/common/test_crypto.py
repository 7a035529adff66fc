from __future__ import annotations

from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from oila.common import crypto
from oila.common.crypto import decrypt, encrypt, keyed_hash, reset_keys, rotate
from oila.registry import services as registry
from oila.registry.models import Household, Person
from tests.base import OilaTestCase

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
PINFL = "31405861230021"
NOTES = "Ota Rossiyada ishlaydi, pul yubormaydi"


def raw_column(model: type[Household] | type[Person], column: str, pk: object) -> str:
    """The value as stored in the database, read past the field's decryption."""
    table = connection.ops.quote_name(model._meta.db_table)
    db_pk = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [db_pk]
        )
        return str(cursor.fetchone()[0])


class KeysTestCase(OilaTestCase):
    def use_keys(self, *field_keys: str, hash_key: str = "") -> None:
        """Switch the configured keys for the rest of the test (and forget the cached ones)."""
        override = override_settings(OILA_FIELD_KEYS=list(field_keys), OILA_HASH_KEY=hash_key)
        override.enable()
        self.addCleanup(reset_keys)
        self.addCleanup(override.disable)
        reset_keys()


class EncryptedTextFieldTests(KeysTestCase):
    def test_it_stores_ciphertext_and_reads_back_plain_text(self) -> None:
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Rahimovlar", "district": self.urganch, "economic_notes": NOTES},
            members=[{"given_name": "Nodira", "family_name": "Rahimova", "sex": "female"}],
        )
        stored = raw_column(Household, "economic_notes", household.pk)
        self.assertTrue(stored.startswith(crypto.PREFIX))
        self.assertNotIn("Rossiya", stored)
        self.assertEqual(Household.objects.get(pk=household.pk).economic_notes, NOTES)

    def test_an_identifier_is_encrypted_and_found_by_its_keyed_hash(self) -> None:
        registry.person_update(actor=self.alice, person=self.child, data={"pinfl": PINFL})
        stored = raw_column(Person, "pinfl", self.child.pk)
        self.assertNotIn(PINFL, stored)
        self.assertNotIn(PINFL, raw_column(Person, "pinfl_hash", self.child.pk))
        found = Person.objects.get(pinfl_hash=keyed_hash(PINFL))
        self.assertEqual((found, found.pinfl), (self.child, PINFL))

    def test_empty_stays_empty(self) -> None:
        self.assertEqual(raw_column(Household, "economic_notes", self.household.pk), "")

    def test_the_same_text_encrypts_differently_each_time(self) -> None:
        self.assertNotEqual(encrypt(NOTES), encrypt(NOTES))


class KeyedHashTests(KeysTestCase):
    def test_it_is_stable_and_ignores_surrounding_spaces(self) -> None:
        self.use_keys(OLD_KEY, hash_key="hash-key-one")
        self.assertEqual(keyed_hash(PINFL), keyed_hash(f" {PINFL} "))
        self.assertEqual(len(keyed_hash(PINFL)), 64)
        self.assertNotEqual(keyed_hash(PINFL), keyed_hash("31405861230022"))

    def test_it_depends_on_the_hash_key(self) -> None:
        self.use_keys(OLD_KEY, hash_key="hash-key-one")
        first = keyed_hash(PINFL)
        self.use_keys(OLD_KEY, hash_key="hash-key-two")
        self.assertNotEqual(keyed_hash(PINFL), first)


class KeyRotationTests(KeysTestCase):
    def test_an_old_value_still_decrypts_when_a_new_key_comes_first(self) -> None:
        self.use_keys(OLD_KEY)
        token = encrypt(NOTES)
        self.use_keys(NEW_KEY, OLD_KEY)
        self.assertEqual(decrypt(token), NOTES)

    def test_rotate_re_encrypts_under_the_newest_key(self) -> None:
        self.use_keys(OLD_KEY)
        token = encrypt(NOTES)
        self.use_keys(NEW_KEY, OLD_KEY)
        rotated = rotate(token)
        self.assertNotEqual(rotated, token)
        self.use_keys(NEW_KEY)  # the old key retired: only rotated values can still be read
        self.assertEqual(decrypt(rotated), NOTES)
        with self.assertRaises(ValueError):
            decrypt(token)

    def test_rows_written_under_the_old_key_read_after_rotation(self) -> None:
        self.use_keys(OLD_KEY)
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Olimovlar", "district": self.urganch, "economic_notes": NOTES},
            members=[{"given_name": "Olim", "family_name": "Olimov", "sex": "male"}],
        )
        self.use_keys(NEW_KEY, OLD_KEY)
        self.assertEqual(Household.objects.get(pk=household.pk).economic_notes, NOTES)

    def test_a_wrong_key_never_passes_silently(self) -> None:
        self.use_keys(OLD_KEY)
        token = encrypt(NOTES)
        self.use_keys(NEW_KEY)
        with self.assertRaisesMessage(ValueError, "could not be decrypted"):
            decrypt(token)

    def test_plain_legacy_values_are_read_as_they_are_and_rotate_encrypts_them(self) -> None:
        self.use_keys(NEW_KEY)
        self.assertEqual(decrypt("not encrypted"), "not encrypted")
        self.assertEqual(decrypt(rotate("not encrypted")), "not encrypted")
