"""Re-encrypting every stored secret under the newest field key (`oila rotate-keys`, ADR 0004).

Every EncryptedTextField of every installed model is found through the app registry, so a field added
later is rotated without changing this code; so is every file in an EncryptedUploadStorage. The walk
goes in primary-key order, one transaction per batch: an interrupted run keeps what it finished, and
a second run skips every value already under the newest key (it is idempotent).

Rotation rewrites ciphertext only, not what a record says: it goes past the services on purpose (no
audit event per row, `updated_at` untouched) and reports what it did on standard output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from oila.common import crypto
from oila.common.crypto import EncryptedTextField
from oila.common.uploads import EncryptedUploadStorage


@dataclass
class RotationReport:
    rotated: int = 0
    current: int = 0
    files_rotated: int = 0
    files_current: int = 0
    columns: list[str] = field(default_factory=list)


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Each concrete model with its EncryptedTextField attribute names."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        names = [f.name for f in meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def encrypted_file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, f.name)
        for model in apps.get_models()
        if not model._meta.proxy
        for f in model._meta.local_concrete_fields
        if isinstance(f, models.FileField) and isinstance(f.storage, EncryptedUploadStorage)
    ]


def _batches(model: type[models.Model], values: list[str], size: int) -> Iterator[list[tuple]]:
    manager = model._base_manager
    last = None
    while True:
        rows = manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", *values)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def rotate_model(
    model: type[models.Model],
    names: list[str],
    *,
    batch_size: int,
    report: RotationReport,
    progress: Callable[[str], None],
) -> None:
    """Re-encrypt one model's encrypted columns under the newest key, batch by batch."""
    # Cast to a plain text field: the stored ciphertext itself, past the field's decryption.
    raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    manager = model._base_manager
    total = manager.count()
    done = 0
    for batch in _batches(model, [], batch_size):
        pks = [row[0] for row in batch]
        with transaction.atomic():
            rows = manager.filter(pk__in=pks).annotate(**raw).values_list("pk", *raw)
            for pk, *stored in rows:
                changes = {}
                for name, value in zip(names, stored, strict=True):
                    if not value:
                        continue
                    if crypto.needs_rotation(value):
                        # Assigning the plain text makes the field encrypt it under the newest key.
                        changes[name] = crypto.decrypt(value)
                    else:
                        report.current += 1
                if changes:
                    manager.filter(pk=pk).update(**changes)
                    report.rotated += len(changes)
        done += len(batch)
        progress(f"{model._meta.label} ({', '.join(names)}): {done}/{total}")
    report.columns.extend(f"{model._meta.label}.{name}" for name in names)


def rotate_files(
    model: type[models.Model],
    name: str,
    *,
    batch_size: int,
    report: RotationReport,
    progress: Callable[[str], None],
) -> None:
    storage = model._meta.get_field(name).storage
    if not isinstance(storage, EncryptedUploadStorage):
        raise TypeError(f"{model._meta.label}.{name} is not an encrypted upload")
    total = model._base_manager.exclude(**{name: ""}).count()
    done = 0
    for batch in _batches(model, [name], batch_size):
        for _pk, stored_name in batch:
            if not stored_name:
                continue
            with open(storage.path(stored_name), "rb") as stored:
                token = stored.read()
            if crypto.needs_rotation_bytes(token):
                storage.rotate(stored_name)
                report.files_rotated += 1
            else:
                report.files_current += 1
            done += 1
        progress(f"{model._meta.label}.{name} (files): {done}/{total}")


def rotate_all(*, batch_size: int = 500, progress: Callable[[str], None] = print) -> RotationReport:
    """Re-encrypt every encrypted value and file under the newest key in OILA_FIELD_KEYS."""
    report = RotationReport()
    for model, names in encrypted_columns():
        rotate_model(model, names, batch_size=batch_size, report=report, progress=progress)
    for model, name in encrypted_file_fields():
        rotate_files(model, name, batch_size=batch_size, report=report, progress=progress)
    return report
