"""The import and export pages and the command line: who may, what they see, progress."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from oila.registry.models import Household, Person
from oila.transfer.models import Job
from tests.transfer.base import TransferTestCase
from tests.transfer.files import csv_bytes, xlsx

HOUSEHOLDS = ["external_id", "name", "district", "head_given_name", "head_family_name", "head_sex"]


class PageTests(TransferTestCase):
    def test_it_shows_the_page_to_case_roles_and_me_officers_only(self) -> None:
        url = reverse("transfer:index")
        for user, status in ((self.alice, 200), (self.erin, 200), (self.frank, 200),
                             (self.dave, 404), (self.grace, 404), (self.heidi, 404)):  # fmt: skip
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)
        self.client.force_login(self.erin)
        body = self.client.get(url).content.decode()
        self.assertNotIn(reverse("transfer:import"), body)  # M&E officers export only
        self.assertIn("pseudonymised", body)

    def test_it_offers_templates_with_headers_and_their_explanations(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("transfer:template") + "?type=people&format=xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        book = load_workbook(io.BytesIO(response.content))
        header = [c.value for c in book.worksheets[0][1]]
        self.assertEqual(header[:3], ["Person id", "Household id", "Relationship to the head"])
        explained = [row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
        self.assertIn("given_name", explained)
        response = self.client.get(reverse("transfer:template") + "?type=people&format=csv")
        lines = response.content.decode("utf-8-sig").splitlines()
        self.assertTrue(lines[0].startswith("Person id,Household id,"))
        self.assertTrue(lines[1].startswith("# "))
        self.client.force_login(self.erin)
        self.assertEqual(
            self.client.get(reverse("transfer:template") + "?type=people").status_code, 404
        )

    def test_it_checks_an_upload_shows_the_report_and_imports_on_request(self) -> None:
        self.client.force_login(self.alice)
        data = xlsx([HOUSEHOLDS, ["H-1", "Olimovlar", "Xiva", "Olim", "Olimov", "male"]])
        upload = SimpleUploadedFile("register.xlsx", data)
        response = self.client.post(
            reverse("transfer:import"), {"type": "households", "file": upload}
        )
        job = Job.objects.get(created_by=self.alice)
        self.assertRedirects(response, job.get_absolute_url())
        page = self.client.get(job.get_absolute_url()).content.decode()
        self.assertIn("1 rows: 1 new, 0 already imported", page)
        self.assertIn(reverse("transfer:job-commit", args=[job.pk]), page)
        progress = self.client.get(reverse("transfer:job-progress", args=[job.pk]))
        self.assertEqual(progress["HX-Refresh"], "true")  # finished: the page shows the report
        self.assertFalse(Household.objects.filter(external_id="H-1").exists())
        response = self.client.post(reverse("transfer:job-commit", args=[job.pk]))
        self.assertRedirects(response, job.get_absolute_url())
        self.assertTrue(Household.objects.filter(external_id="H-1", caseworker=self.alice).exists())

    def test_it_names_the_problems_in_the_page(self) -> None:
        self.client.force_login(self.alice)
        data = xlsx([HOUSEHOLDS, ["H-1", "Olimovlar", "Atlantis", "Olim", "Olimov", "male"]])
        upload = SimpleUploadedFile("register.xlsx", data)
        self.client.post(reverse("transfer:import"), {"type": "households", "file": upload})
        job = Job.objects.get(created_by=self.alice)
        page = self.client.get(job.get_absolute_url()).content.decode()
        self.assertIn("There is no district “Atlantis”.", page)
        self.assertIn("1 error: nothing was imported.", page)
        self.assertNotIn(reverse("transfer:job-commit", args=[job.pk]), page)
        response = self.client.post(reverse("transfer:job-commit", args=[job.pk]))
        self.assertEqual(response.status_code, 422)

    def test_it_refuses_50_mb_of_junk_before_reading_it(self) -> None:
        self.client.force_login(self.alice)
        upload = SimpleUploadedFile("junk.xlsx", b"\x8f" * (50 * 1024 * 1024))
        response = self.client.post(reverse("transfer:import"), {"type": "people", "file": upload})
        self.assertEqual(response.status_code, 413)
        self.assertIn("The file is too large: at most 25.0 MB", response.content.decode())
        self.assertFalse(Job.objects.exists())
        self.assertEqual(self.client.get(reverse("transfer:index")).status_code, 200)

    def test_it_hides_other_peoples_jobs(self) -> None:
        self.client.force_login(self.alice)
        upload = SimpleUploadedFile("r.csv", csv_bytes([HOUSEHOLDS]))
        self.client.post(reverse("transfer:import"), {"type": "households", "file": upload})
        job = Job.objects.get()
        for user in (self.bob, self.frank, self.carol):
            self.client.force_login(user)
            for name in ("transfer:job", "transfer:job-progress", "transfer:job-download"):
                self.assertEqual(self.client.get(reverse(name, args=[job.pk])).status_code, 404)
            self.assertEqual(
                self.client.post(reverse("transfer:job-commit", args=[job.pk])).status_code, 404
            )

    def test_the_export_page_starts_an_export_with_the_lists_filters(self) -> None:
        self.client.force_login(self.frank)
        url = reverse("transfer:export") + f"?list=households&district={self.urganch.pk}"
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {}).status_code, 422)
        response = self.client.post(url, {"file_format": "csv"})
        job = Job.objects.get(created_by=self.frank)
        self.assertRedirects(response, job.get_absolute_url())
        self.assertEqual((job.status, job.done), (Job.Status.READY, 1))
        self.assertEqual(job.params["query"], {"district": str(self.urganch.pk)})
        page = self.client.get(job.get_absolute_url()).content.decode()
        self.assertIn(reverse("transfer:job-download", args=[job.pk]), page)


class CommandTests(TransferTestCase):
    def test_it_checks_then_imports_from_the_command_line(self) -> None:
        rows = [HOUSEHOLDS, ["H-7", "Olimovlar", "Xiva", "Olim", "Olimov", "male"]]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "register.xlsx"
            path.write_bytes(xlsx(rows))
            out = io.StringIO()
            call_command(
                "import", "households", str(path), "--dry-run", "--as", "alice", stdout=out
            )
            self.assertIn("1 rows: 1 new, 0 already imported; 0 errors", out.getvalue())
            self.assertIn("Dry run: nothing was imported.", out.getvalue())
            self.assertIn("1/1", out.getvalue())  # progress
            self.assertFalse(Household.objects.filter(external_id="H-7").exists())
            out = io.StringIO()
            call_command("import", "households", str(path), "--as", "alice", stdout=out)
            self.assertIn("Imported 1 records.", out.getvalue())
            self.assertTrue(Person.objects.filter(given_name="Olim").exists())
            path.write_bytes(xlsx([HOUSEHOLDS, ["H-8", "X", "Atlantis", "A", "B", "male"]]))
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command(
                    "import",
                    "households",
                    str(path),
                    "--as",
                    "alice",
                    stdout=io.StringIO(),
                    stderr=err,
                )
            self.assertIn("There is no district “Atlantis”.", err.getvalue())
            with self.assertRaises(CommandError):
                call_command(
                    "import", "households", str(path), "--as", "erin", stdout=io.StringIO()
                )


class ListButtonTests(TransferTestCase):
    def test_the_list_pages_offer_an_export_of_what_they_show(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(reverse("registry:households") + "?district=x").content.decode()
        self.assertIn(reverse("transfer:export") + "?list=households&amp;district=x", page)
        self.assertIn(reverse("transfer:export") + "?list=people&amp;district=x", page)
        for name, key in (("cases:cases", "cases"), ("support:deliveries", "deliveries"),
                          ("support:referrals", "referrals")):  # fmt: skip
            page = self.client.get(reverse(name)).content.decode()
            self.assertIn(reverse("transfer:export") + f"?list={key}", page)
