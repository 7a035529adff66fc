"""Uploaded files (photos, scanned documents): checked, encrypted at rest, served only as downloads.

The rules (ASVS 12.1.1, 12.2.1, 12.3.1, 12.4.1, 12.5.2, 6.1.1):

- **Size**: at most ``settings.OILA_UPLOAD_MAX_BYTES`` (10 MB by default).
- **Type by content**: the first bytes must be a JPEG, PNG, WebP or PDF signature. The name and the
  browser's Content-Type are ignored; HTML, SVG (which can carry scripts) and anything else are refused.
- **Stored under a random name** (``ab/ab12…``, no extension, nothing the user typed) in
  ``MEDIA_ROOT``, which is not under ``STATIC_ROOT`` and has no URL: nothing serves it directly.
- **Encrypted** with the field keys (Fernet), so a copy of the media directory reveals nothing and
  ``oila rotate-keys`` can re-encrypt files under a new key.
- **Served only by a view that has checked permission** (its selector returned the record the file
  belongs to), through ``upload_response``: ``Content-Disposition: attachment``, the type found by
  sniffing, ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy, so a browser
  never renders it as a page of this site.

A model uses it as ``models.FileField(storage=upload_storage, validators=[validate_upload])`` (or
calls ``upload_store`` from a service) and keeps the sniffed type and the original name, for the
download's file name only, in its own fields.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.http import HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from oila.common import crypto

HEAD_BYTES = 16


@dataclass(frozen=True)
class UploadType:
    mime: str
    extension: str


JPEG = UploadType("image/jpeg", "jpg")
PNG = UploadType("image/png", "png")
WEBP = UploadType("image/webp", "webp")
PDF = UploadType("application/pdf", "pdf")
ALLOWED = (JPEG, PNG, WEBP, PDF)


def sniff(head: bytes) -> UploadType | None:
    """The type a file's first bytes say it is, if it is one we accept; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _max_bytes() -> int:
    return int(settings.OILA_UPLOAD_MAX_BYTES)


def _read_head(file: IO[bytes] | File) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head if isinstance(head, bytes) else head.encode()


@deconstructible
class UploadValidator:
    """A FileField validator: the size limit and a type found by content (see the module's rules)."""

    def __call__(self, file: File) -> UploadType:
        size = file.size
        if size is None or size > _max_bytes():
            raise ValidationError(
                _("The file is too large: at most %(mb)s MB.")
                % {"mb": round(_max_bytes() / (1024 * 1024), 1)},
                code="too_large",
            )
        if size == 0:
            raise ValidationError(_("The file is empty."), code="empty")
        kind = sniff(_read_head(file))
        if kind is None:
            raise ValidationError(
                _("Only photos (JPEG, PNG, WebP) and PDF documents can be uploaded."),
                code="type",
            )
        return kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadValidator)

    def __hash__(self) -> int:
        return hash(UploadValidator)


validate_upload = UploadValidator()


def random_name() -> str:
    """A storage name with nothing from the user in it: two levels keep directories small."""
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token}"


@deconstructible
class EncryptedUploadStorage(FileSystemStorage):
    """Files under MEDIA_ROOT, encrypted with the field keys, under random names, with no URL."""

    def __init__(self, **kwargs: Any) -> None:
        # Readable by the service user only (the location defaults to MEDIA_ROOT).
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def generate_filename(self, filename: str) -> str:
        # Whatever the upload was called (and whatever upload_to made of it): a random name.
        return random_name()

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        while self.exists(name):
            name = random_name()
        return name

    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        data = content.read()
        if len(data) > _max_bytes():
            raise ValidationError(_("The file is too large."), code="too_large")
        return super()._save(name, ContentFile(crypto.encrypt_bytes(data)))

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode:
            raise ValueError("Uploads are written through save(), never opened for writing.")
        with super()._open(name, "rb") as stored:
            return ContentFile(crypto.decrypt_bytes(stored.read()), name=name)

    def url(self, name: str | None) -> str:
        raise ValueError(
            "Uploads have no URL: serve them with oila.common.uploads.upload_response."
        )

    def rotate(self, name: str) -> None:
        """Re-encrypt one stored file under the newest field key (oila rotate-keys)."""
        path = self.path(name)
        with open(path, "rb") as stored:
            token = stored.read()
        rotated = crypto.rotate_bytes(token)
        temporary = f"{path}.rotating"
        with open(temporary, "wb") as out:
            out.write(rotated)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)


upload_storage = EncryptedUploadStorage()


def upload_store(file: File, *, storage: EncryptedUploadStorage | None = None) -> tuple[str, str]:
    """Check and store an upload; returns its storage name and the type found by sniffing."""
    kind = validate_upload(file)
    name = (storage or upload_storage).save(random_name(), file)
    return name, kind.mime


def _ascii_filename(name: str, extension: str) -> str:
    stem = unicodedata.normalize("NFKD", name.rsplit(".", 1)[0])
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.encode("ascii", "ignore").decode()).strip("._")
    return f"{stem or 'file'}.{extension}"


def upload_response(
    *, name: str, download_name: str = "", storage: EncryptedUploadStorage | None = None
) -> HttpResponse:
    """The file as a download. Call it only from a view that has already checked that the user may
    see the record the file belongs to (its selector answered 404 otherwise)."""
    with (storage or upload_storage).open(name) as stored:
        data = stored.read()
    kind = sniff(data[:HEAD_BYTES])
    if kind is None:  # stored before the rules, or tampered with: never send it as something else
        raise ValidationError(_("This file cannot be downloaded."), code="type")
    response = HttpResponse(data, content_type=kind.mime)
    filename = _ascii_filename(download_name or "file", kind.extension)
    unicode_name = f"{(download_name or 'file').rsplit('.', 1)[0]}.{kind.extension}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(unicode_name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(data))
    return response
