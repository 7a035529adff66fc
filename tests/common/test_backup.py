"""`oila backup` and `oila restore`: encrypted, checked, and a restore gives back every table exactly
(ASVS 8.3.4 for backups of sensitive data, 6.2.1 for failing securely on a damaged file)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from cryptography.fernet import Fernet
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.test import SimpleTestCase, override_settings

from oila.common import backup
from oila.common.backup import (
    BackupError,
    backup_create,
    backup_restore,
    decrypt_stream,
    encrypt_stream,
)
from oila.registry import services as registry
from oila.registry.models import Person
from tests.base import CommittedTestCase


def encrypted(data: bytes, chunk: int = 7) -> bytes:
    out = io.BytesIO()
    with mock.patch.object(backup, "CHUNK", chunk):
        encrypt_stream(io.BytesIO(data), out, metadata={"engine": "sqlite"})
    return out.getvalue()


def frames(blob: bytes) -> list[bytes]:
    """The raw frames (length prefix included) after the magic line."""
    rest, found = blob[len(backup.MAGIC) :], []
    while rest:
        length = int.from_bytes(rest[:4], "big")
        found.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return found


class BackupFormatTests(SimpleTestCase):
    DATA = b"CREATE TABLE t; INSERT INTO t VALUES ('Karimova Shahnoza, 12 yosh');" * 3

    def decrypt(self, blob: bytes) -> bytes:
        out = io.BytesIO()
        decrypt_stream(io.BytesIO(blob), out)
        return out.getvalue()

    def test_it_round_trips_in_many_frames(self) -> None:
        blob = encrypted(self.DATA)
        self.assertGreater(len(frames(blob)), 10)
        self.assertEqual(self.decrypt(blob), self.DATA)

    def test_nothing_is_readable_in_the_file(self) -> None:
        self.assertNotIn(b"Karimova", encrypted(self.DATA, chunk=1024))

    def test_it_refuses_a_file_cut_short(self) -> None:
        blob = encrypted(self.DATA)
        for cut in (len(blob) - 1, len(blob) - len(frames(blob)[-1]), len(backup.MAGIC) + 2):
            with self.subTest(cut=cut), self.assertRaises(BackupError):
                self.decrypt(blob[:cut])

    def test_it_refuses_reordered_or_altered_frames(self) -> None:
        blob = encrypted(self.DATA)
        parts = frames(blob)
        swapped = backup.MAGIC + b"".join([parts[0], parts[2], parts[1], *parts[3:]])
        with self.assertRaisesMessage(BackupError, "out of order"):
            self.decrypt(swapped)
        flipped = bytearray(blob)
        flipped[len(backup.MAGIC) + 40] ^= 1
        with self.assertRaisesMessage(BackupError, "cannot be decrypted"):
            self.decrypt(bytes(flipped))
        with self.assertRaisesMessage(BackupError, "after its last part"):
            self.decrypt(blob + parts[1])

    def test_it_needs_the_key_it_was_made_with(self) -> None:
        with override_settings(OILA_BACKUP_KEY=Fernet.generate_key().decode()):
            blob = encrypted(self.DATA)
        other_key = override_settings(OILA_BACKUP_KEY=Fernet.generate_key().decode())
        with other_key, self.assertRaisesMessage(BackupError, "wrong OILA_BACKUP_KEY"):
            self.decrypt(blob)

    def test_it_refuses_what_is_not_a_backup(self) -> None:
        with self.assertRaisesMessage(BackupError, "not an oila backup"):
            self.decrypt(b"SQLite format 3\x00")

    def test_production_needs_a_backup_key(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        with (
            override_settings(PRODUCTION=True, OILA_BACKUP_KEY=""),
            self.assertRaises(ImproperlyConfigured),
        ):
            backup.backup_key()


def table_fingerprints(conn: BaseDatabaseWrapper) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows, sorted by every column in order (the
    primary key first in every table of this project), so equal tables give equal checksums."""
    result = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            quoted = conn.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")
            order = ", ".join(str(i + 1) for i in range(len(cursor.description)))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
            rows = cursor.fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


class BackupRestoreTests(CommittedTestCase):
    """Data made through the services, backed up, restored into a new empty database: every table
    has the same rows. On SQLite the new database is a file; on PostgreSQL a database made for the
    test and dropped after it."""

    def setUp(self) -> None:
        self.make_cast()
        cast: Any = self
        household = registry.household_register(
            actor=cast.alice,
            data={"name": "Nazarovlar", "district": cast.urganch, "economic_notes": "Qarzi bor"},
            members=[
                {
                    "given_name": "Bekzod",
                    "family_name": "Nazarov",
                    "sex": "male",
                    "pinfl": "30101850123456",
                },
                {
                    "given_name": "Sevara",
                    "family_name": "Nazarova",
                    "sex": "female",
                    "birth_date": dt.date(2013, 2, 3),
                },
            ],
        )
        registry.care_arrangement_record(
            actor=cast.alice,
            person=Person.objects.get(given_name="Sevara"),
            data={
                "type": "informal_kinship",
                "started_on": dt.date(2022, 1, 1),
                "notes": "Buvisida",
            },
        )
        self.household = household
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)

    def empty_database(self) -> BaseDatabaseWrapper:
        """A connection to a new, empty database (outside Django's configured ones)."""
        settings = dict(connection.settings_dict)
        if connection.vendor == "postgresql":
            name = f"oila_restore_{secrets.token_hex(6)}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            self.addCleanup(self.drop_database, name)
            settings["NAME"] = name
        else:
            settings["NAME"] = str(self.tmp / "restored.sqlite3")
        target = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias="restore")
        self.addCleanup(target.close)
        return target

    def drop_database(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def test_a_restore_gives_back_every_table_row_for_row(self) -> None:
        file = self.tmp / "oila.backup"
        metadata = backup_create(output=file)
        self.assertEqual(metadata["engine"], connection.vendor)
        self.assertEqual(file.stat().st_mode & 0o777, 0o600)
        self.assertNotIn(b"Nazarov", file.read_bytes())  # the whole file is encrypted
        target = self.empty_database()
        backup_restore(source=file, connection=target)
        before, after = table_fingerprints(connection), table_fingerprints(target)
        self.assertIn("registry_household", after)
        self.assertGreater(after["audit_auditevent"][0], 0)
        self.assertEqual(after, before)

    def test_it_refuses_a_database_that_is_not_empty(self) -> None:
        file = self.tmp / "oila.backup"
        backup_create(output=file)
        with self.assertRaisesMessage(BackupError, "not empty"):
            backup_restore(source=file)

    def test_it_refuses_a_backup_of_the_other_engine(self) -> None:
        file = self.tmp / "other.backup"
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        with open(file, "wb") as out:
            encrypt_stream(io.BytesIO(b"x"), out, metadata={"engine": other})
        target = self.empty_database()
        with self.assertRaisesMessage(BackupError, f"backup of a {other} database"):
            backup_restore(source=file, connection=target)


class BackupCommandTests(SimpleTestCase):
    """The commands as an operator runs them, on an SQLite installation of their own."""

    def oila(self, *args: str, database: Path) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "OILA_TESTING": "1",
            "OILA_VAR_DIR": str(database.parent),
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "the same installation " * 3,
        }
        return subprocess.run(
            [sys.executable, "-m", "oila.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def test_backup_then_restore_into_a_new_database(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        source, target, file = (
            Path(tmp.name) / n for n in ("oila.sqlite3", "new.sqlite3", "b.oila")
        )
        self.assertEqual(self.oila("migrate", "-v0", database=source).returncode, 0)
        made = self.oila("backup", "--output", str(file), database=source)
        self.assertEqual(made.returncode, 0, made.stderr)
        restored = self.oila("restore", str(file), database=target)
        self.assertEqual(restored.returncode, 0, restored.stderr)
        self.assertIn("Restored the backup", restored.stdout)
        again = self.oila("restore", str(file), database=target)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("not empty", again.stderr)
        forced = self.oila("restore", "--force", str(file), database=target)
        self.assertEqual(forced.returncode, 0, forced.stderr)
        import sqlite3

        def dump(path: Path) -> list[str]:
            db = sqlite3.connect(path)
            try:
                return list(db.iterdump())
            finally:
                db.close()

        self.assertEqual(dump(target), dump(source))
