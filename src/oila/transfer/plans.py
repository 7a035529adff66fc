"""A dry run's plan: the writes a commit of the same file would make, kept for that commit.

The dry run checks every row (reading, cells, references, the check at entry) and, for a file it
finds no error in, keeps each service call the commit would make (importing.Write) in a file next to
the upload. The commit replays the plan instead of checking the file a second time when nothing
could have changed the outcome since (services.import_commit_run, ADR 0021):

- no write was audited since the dry run began (every write is audited, in its own transaction:
  its event's sequence number is above the dry run's mark);
- the same version of oila reads it as wrote it;
- every row the dry run listed as a possible duplicate is among the rows the user confirmed;
- the file is the one the dry run wrote: it is signed with a key derived from SECRET_KEY, and a file
  whose signature does not match is not read.

Otherwise the commit checks the file again, as before. The plan holds what the upload holds (names,
dates of birth, PINFLs) in the same private directory, and is deleted with it.
"""

from __future__ import annotations

import io
import os
import pickle  # nosec B403  # only files this server wrote and signed are read (plan_read)
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.utils.crypto import constant_time_compare, salted_hmac

from oila.transfer.importing import Write

FORMAT = 2
_SALT = "oila.transfer.plans"
# A dry run that lists more possible duplicates than this keeps no plan (the list goes in the job).
MAX_PENDING = 10_000


def plan_version() -> str:
    """What must be the same for a plan to be replayed: its format and the code that reads it."""
    try:
        code = version("oila")
    except PackageNotFoundError:  # pragma: no cover - a source tree without its metadata
        code = "source"
    return f"{FORMAT}:{code}"


def _signature(data: bytes) -> str:
    return salted_hmac(_SALT, data, algorithm="sha256").hexdigest()


class PlanWriter:
    """Collects a dry run's writes in `path` (the Importer's `plan` callback)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self.handle = os.fdopen(fd, "wb")
        self.pending: list[int] = []  # the rows listed as possible duplicates

    def __call__(self, write: Write) -> None:
        pickle.dump(write, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.pending.extend(write.rows[p.index] for p in write.pending)

    def close(self) -> None:
        self.handle.close()  # (closing again does nothing)

    def signature(self) -> str:
        """The finished plan's signature (plan_read checks it)."""
        self.close()
        return _signature(self.path.read_bytes())

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


class PlanInvalid(Exception):
    """The plan is missing or is not the file the dry run wrote."""


def plan_read(path: Path, signature: str) -> Iterator[Write]:
    """The writes of a plan, in order. Raises PlanInvalid (before yielding anything) when the
    file is missing or its signature does not match."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanInvalid(str(exc)) from exc
    if not constant_time_compare(_signature(data), signature):
        raise PlanInvalid("signature")
    return _writes(data)


def _writes(data: bytes) -> Iterator[Write]:
    stream = io.BytesIO(data)
    while stream.tell() < len(data):
        # Signed by this server just above: written by its own dry run.
        write = pickle.load(stream)  # noqa: S301  # nosec B301
        if not isinstance(write, Write):
            raise PlanInvalid("content")
        yield write
