"""Encrypted backups of the whole database, and restoring them (`oila backup`, `oila restore`).

What is saved: on PostgreSQL, `pg_dump --format=custom` (restored with `pg_restore`); on SQLite, a
copy made with SQLite's online backup API (consistent while oila runs). Either way the result is
encrypted before it reaches the disk.

File format (version 1), designed so that a file cut short, reordered or altered fails to restore
instead of restoring part of the data:

    b"OILA-BACKUP-1\\n"                       magic line, in clear
    frames, each: 4-byte big-endian length N, then N bytes of a Fernet token (AES-128-CBC + HMAC)

Every token decrypts to an 8-byte big-endian frame number (0, 1, 2, …), one flag byte (1 on the last
frame, else 0) and the payload. Frame 0's payload is JSON metadata (`engine`, `created_at`,
`format`); the following frames carry the dump in chunks of at most 1 MiB. A reader checks the
numbers run in order and that the last frame is flagged.

The key is OILA_BACKUP_KEY (a Fernet key; outside production derived from SECRET_KEY like the field
keys). A backup holds encrypted fields as ciphertext, so reading them after a restore also needs the
OILA_FIELD_KEYS of the installation that made it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import sqlite3
import struct
import subprocess  # nosec B404 # pg_dump and pg_restore, argument lists, never a shell
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from oila.common import crypto

MAGIC = b"OILA-BACKUP-1\n"
CHUNK = 1024 * 1024
_LENGTH = struct.Struct(">I")
_FRAME = struct.Struct(">QB")


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why."""


def backup_key() -> Fernet:
    key = getattr(settings, "OILA_BACKUP_KEY", "")
    if not key:
        if getattr(settings, "PRODUCTION", True):
            raise ImproperlyConfigured("OILA_BACKUP_KEY must be set to make or restore backups.")
        key = base64.urlsafe_b64encode(crypto._derived("backup")).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


# --- the encrypted stream --------------------------------------------------------------------------


def _write_frame(out: IO[bytes], fernet: Fernet, number: int, last: bool, payload: bytes) -> None:
    token = fernet.encrypt(_FRAME.pack(number, 1 if last else 0) + payload)
    out.write(_LENGTH.pack(len(token)))
    out.write(token)


def encrypt_stream(source: IO[bytes], out: IO[bytes], *, metadata: dict[str, Any]) -> None:
    """Write MAGIC, the metadata frame and the source in encrypted frames."""
    fernet = backup_key()
    out.write(MAGIC)
    _write_frame(out, fernet, 0, False, json.dumps(metadata).encode())
    number = 1
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        _write_frame(out, fernet, number, not following, chunk)
        if not following:
            return
        chunk, number = following, number + 1


def _frames(source: IO[bytes]) -> Iterator[tuple[bool, bytes]]:
    fernet = backup_key()
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("This is not an oila backup (or not of a version this oila can read).")
    expected = 0
    while True:
        header = source.read(_LENGTH.size)
        if not header:
            raise BackupError("The backup is incomplete: it ends before its last part.")
        if len(header) != _LENGTH.size:
            raise BackupError("The backup is damaged.")
        (length,) = _LENGTH.unpack(header)
        token = source.read(length)
        if len(token) != length:
            raise BackupError("The backup is incomplete: it ends in the middle of a part.")
        try:
            plain = fernet.decrypt(token)
        except InvalidToken as exc:
            raise BackupError(
                "The backup cannot be decrypted: a wrong OILA_BACKUP_KEY, or a damaged file."
            ) from exc
        number, last = _FRAME.unpack(plain[: _FRAME.size])
        if number != expected:
            raise BackupError("The backup is damaged: its parts are out of order.")
        yield bool(last), plain[_FRAME.size :]
        if last:
            if source.read(1):
                raise BackupError("The backup is damaged: there is data after its last part.")
            return
        expected += 1


def decrypt_stream(source: IO[bytes], out: IO[bytes]) -> dict[str, Any]:
    """Check and decrypt a backup into `out`; returns its metadata."""
    frames = _frames(source)
    last, first = next(frames)
    metadata: dict[str, Any] = json.loads(first)
    if last:
        raise BackupError("The backup is empty.")
    for _last, payload in frames:
        out.write(payload)
    return metadata


@contextmanager
def _private_dir() -> Iterator[Path]:
    """A directory only this user can read, for the plain dump while it is being made or read."""
    with tempfile.TemporaryDirectory(prefix="oila-backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)


# --- making a backup -------------------------------------------------------------------------------


def _pg_command(program: str, db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    path = shutil.which(program)
    if path is None:
        raise BackupError(f"{program} is needed (Debian: apt-get install postgresql-client).")
    command = [path]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # the environment, never the command line
    return command, env


def _dump_postgresql(db: dict[str, Any], target: Path) -> None:
    command, env = _pg_command("pg_dump", db)
    command += ["--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
    command += ["--dbname", str(db["NAME"])]
    # An argument list (no shell), from settings and a path this module chose.
    result = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _dump_sqlite(connection: BaseDatabaseWrapper, target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # SQLite's online backup: a consistent copy even while others write (in-memory databases too).
        connection.connection.backup(destination)
    finally:
        destination.close()


def backup_create(*, output: Path, connection: BaseDatabaseWrapper | None = None) -> dict[str, Any]:
    """Write an encrypted backup of the database to `output` (readable by its owner only)."""
    connection = connection or connections["default"]
    metadata = {
        "format": 1,
        "engine": connection.vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    output = Path(output)
    partial = output.with_name(f".{output.name}.partial")
    with _private_dir() as work:
        dump = work / "dump"
        if connection.vendor == "postgresql":
            _dump_postgresql(connection.settings_dict, dump)
        else:
            _dump_sqlite(connection, dump)
        metadata["bytes"] = dump.stat().st_size
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out, open(dump, "rb") as source:
                encrypt_stream(source, out, metadata=metadata)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, output)
    return metadata


# --- restoring -------------------------------------------------------------------------------------


def database_is_empty(connection: BaseDatabaseWrapper) -> bool:
    """No tables at all: a database that was just created."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_postgresql(db: dict[str, Any], dump: Path, *, replace: bool) -> None:
    command, env = _pg_command("pg_restore", db)
    command += ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    command += ["--dbname", str(db["NAME"]), str(dump)]
    result = subprocess.run(  # noqa: S603  # nosec B603 # an argument list, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        # The backup API copies every page over the target: afterwards it is the saved database.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def backup_restore(
    *, source: Path, connection: BaseDatabaseWrapper | None = None, force: bool = False
) -> dict[str, Any]:
    """Restore an encrypted backup into the database; refuses one that has tables unless `force`."""
    connection = connection or connections["default"]
    if not force and not database_is_empty(connection):
        raise BackupError(
            "The database is not empty. Restore into a new database, or pass --force to replace "
            "everything in this one."
        )
    with _private_dir() as work:
        dump = work / "dump"
        with open(source, "rb") as encrypted, open(dump, "wb") as out:
            metadata = decrypt_stream(encrypted, out)
        if metadata.get("engine") != connection.vendor:
            raise BackupError(
                f"This is a backup of a {metadata.get('engine')} database; "
                f"this one is {connection.vendor}."
            )
        if connection.vendor == "postgresql":
            connection.close()
            _restore_postgresql(connection.settings_dict, dump, replace=force)
        else:
            _restore_sqlite(connection, dump)
    return metadata
