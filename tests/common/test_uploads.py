"""Uploads: size-limited, typed by content, stored encrypted under random names outside the static
root, downloaded only through a permission-checked view and never as HTML (ASVS 12.1.1, 12.2.1,
12.3.1, 12.4.1, 12.5.2, 6.1.1)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.test import SimpleTestCase, override_settings
from django.urls import path

from oila.common import uploads
from oila.common.crypto import reset_keys
from oila.common.uploads import EncryptedUploadStorage, sniff, upload_response, upload_store
from tests.base import OilaTestCase

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
HTML = b"<!doctype html><script>fetch('/api/v1/people/')</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
CANARY = b"CANARY-upload-7f3e9b21"


def upload(
    data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


class TempStorage:
    def make_storage(self) -> EncryptedUploadStorage:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)  # type: ignore[attr-defined]
        return EncryptedUploadStorage(location=tmp.name)


class UploadValidationTests(TempStorage, SimpleTestCase):
    def test_it_accepts_jpeg_png_webp_and_pdf_by_their_content(self) -> None:
        for data, mime in (
            (JPEG, "image/jpeg"),
            (PNG, "image/png"),
            (WEBP, "image/webp"),
            (PDF, "application/pdf"),
        ):
            with self.subTest(mime=mime):
                # The name and the browser's type say nothing: content decides.
                _name, found = upload_store(
                    upload(data, "x.bin", "text/plain"), storage=self.make_storage()
                )
                self.assertEqual(found, mime)

    def test_it_refuses_html_svg_and_anything_else(self) -> None:
        for data, name, ctype in (
            (HTML, "photo.jpg", "image/jpeg"),
            (SVG, "drawing.svg", "image/svg+xml"),
            (b"MZ\x90\x00 an executable", "scan.pdf", "application/pdf"),
            (b"GIF89a" + b"\x00" * 20, "a.gif", "image/gif"),
            (b"PK\x03\x04 a zip or docx", "report.docx", "application/zip"),
        ):
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                upload_store(upload(data, name, ctype), storage=self.make_storage())
            self.assertEqual(caught.exception.code, "type")

    def test_it_refuses_a_file_over_the_limit(self) -> None:
        self.assertEqual(settings.OILA_UPLOAD_MAX_BYTES, 10 * 1024 * 1024)
        with (
            override_settings(OILA_UPLOAD_MAX_BYTES=len(JPEG) - 1),
            self.assertRaises(ValidationError) as caught,
        ):
            upload_store(upload(JPEG), storage=self.make_storage())
        self.assertEqual(caught.exception.code, "too_large")
        with override_settings(OILA_UPLOAD_MAX_BYTES=len(JPEG)):
            upload_store(upload(JPEG), storage=self.make_storage())

    def test_it_refuses_an_empty_file(self) -> None:
        with self.assertRaises(ValidationError):
            upload_store(upload(b""), storage=self.make_storage())

    def test_the_sniffer_needs_the_whole_signature(self) -> None:
        self.assertIsNone(sniff(b"RIFF\x00\x00\x00\x00WAVE"))
        self.assertIsNone(sniff(b"\x89PNG"))
        self.assertIsNone(sniff(b"%PD"))


class UploadStorageTests(TempStorage, SimpleTestCase):
    def test_it_stores_under_a_random_name_with_nothing_from_the_user(self) -> None:
        storage = self.make_storage()
        name, _ = upload_store(
            upload(JPEG, "../../etc/Karimova Shahnoza passport.jpg"), storage=storage
        )
        self.assertRegex(name, r"^[0-9a-f]{2}/[0-9a-f]{32}$")
        files = [p for p in Path(storage.location).rglob("*") if p.is_file()]
        self.assertEqual([p.relative_to(storage.location).as_posix() for p in files], [name])
        other, _ = upload_store(
            upload(JPEG, "../../etc/Karimova Shahnoza passport.jpg"), storage=storage
        )
        self.assertNotEqual(name, other)

    def test_it_encrypts_the_contents_on_disk(self) -> None:
        storage = self.make_storage()
        name, _ = upload_store(upload(PDF + CANARY, "a.pdf"), storage=storage)
        on_disk = Path(storage.path(name)).read_bytes()
        self.assertNotIn(CANARY, on_disk)
        self.assertNotIn(b"%PDF", on_disk)
        with storage.open(name) as stored:
            self.assertEqual(stored.read(), PDF + CANARY)
        self.assertEqual(Path(storage.path(name)).stat().st_mode & 0o777, 0o600)

    def test_it_has_no_url_and_lives_outside_the_static_root(self) -> None:
        with self.assertRaises(ValueError):
            uploads.upload_storage.url("ab/abc")
        media, static = Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()
        self.assertFalse(media.is_relative_to(static) or static.is_relative_to(media))
        self.assertEqual(Path(uploads.upload_storage.location).resolve(), media)

    def test_rotation_reencrypts_under_the_new_key(self) -> None:
        from cryptography.fernet import Fernet

        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        storage = self.make_storage()
        self.addCleanup(reset_keys)
        with override_settings(OILA_FIELD_KEYS=[old]):
            reset_keys()
            name, _ = upload_store(upload(PNG), storage=storage)
        with override_settings(OILA_FIELD_KEYS=[new, old]):
            reset_keys()
            storage.rotate(name)
        with override_settings(OILA_FIELD_KEYS=[new]):
            reset_keys()
            with storage.open(name) as stored:
                self.assertEqual(stored.read(), PNG)


# A view as an app would write it: the selector decides visibility first (404 otherwise), then the
# helper sends the file. Here "visible" is simply "alice's".
STORE: dict[str, EncryptedUploadStorage] = {}


def download(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.is_authenticated or request.user.get_username() != "alice":
        raise Http404
    return upload_response(name=name, download_name="Karimova passport.jpg", storage=STORE["s"])


urlpatterns = [path("files/<path:name>", download)]


@override_settings(ROOT_URLCONF=__name__)
class UploadDownloadTests(TempStorage, OilaTestCase):
    def setUp(self) -> None:
        super().setUp()
        STORE["s"] = self.make_storage()

    def test_it_sends_the_file_as_an_attachment_of_its_sniffed_type(self) -> None:
        name, _ = upload_store(upload(JPEG, "x.jpg"), storage=STORE["s"])
        self.client.force_login(self.alice)
        response = self.client.get(f"/files/{name}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, JPEG)
        self.assertEqual(response["Content-Type"], "image/jpeg")
        self.assertTrue(
            response["Content-Disposition"].startswith(
                'attachment; filename="Karimova_passport.jpg"'
            )
        )
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Security-Policy"], "default-src 'none'; sandbox")
        self.assertIn("no-store", response["Cache-Control"])

    def test_it_is_404_for_someone_who_may_not_see_it(self) -> None:
        name, _ = upload_store(upload(PDF, "x.pdf"), storage=STORE["s"])
        for client_user in (self.carol, None):
            with self.subTest(user=client_user):
                self.client.logout()
                if client_user:
                    self.client.force_login(client_user)
                self.assertEqual(self.client.get(f"/files/{name}").status_code, 404)

    def test_it_never_sends_a_stored_file_that_is_not_an_allowed_type(self) -> None:
        # As if a file had been put there past the validator (or before it existed).
        name = STORE["s"].save(uploads.random_name(), upload(HTML, "x.html", "text/html"))
        self.client.force_login(self.alice)
        with self.assertRaises(ValidationError):
            self.client.get(f"/files/{name}")
