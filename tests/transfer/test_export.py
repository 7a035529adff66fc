"""Exports: visibility, pseudonymisation, filters, formats, expiry, audit."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from oila.audit.models import AuditEvent
from oila.registry import services as registry
from oila.transfer import services
from oila.transfer.exporting import age_band, cell, pseudonym
from oila.transfer.files import job_path
from oila.transfer.models import Job
from tests.transfer.base import TransferTestCase

PINFL = "31405209876543"


class ExportTestCase(TransferTestCase):
    def setUp(self) -> None:
        super().setUp()
        registry.person_update(actor=self.alice, person=self.child, data={"pinfl": PINFL})
        self.theirs = self.other_team_household()

    def export(self, user, list_key: str, query: dict | None = None, fmt: str = "csv") -> Job:
        job = services.export_start(
            actor=user, list_key=list_key, query=query or {}, file_format=fmt
        )
        job.refresh_from_db()
        return job

    def download(self, user, job: Job) -> bytes:
        self.client.force_login(user)
        response = self.client.get(reverse("transfer:job-download", args=[job.pk]))
        self.assertEqual(response.status_code, 200)
        return b"".join(response.streaming_content)


class ExportVisibilityTests(ExportTestCase):
    def test_it_leaves_out_what_the_user_cannot_see(self) -> None:
        job = self.export(self.carol, "households")
        self.assertEqual((job.status, job.done), (Job.Status.READY, 1))
        body = self.download(self.carol, job).decode("utf-8-sig")
        self.assertIn("Xudoyberganovlar", body)
        self.assertNotIn("Karimovlar", body)
        self.assertNotIn(str(self.household.pk), body)
        alices = self.download(self.alice, self.export(self.alice, "people")).decode("utf-8-sig")
        self.assertIn(PINFL, alices)  # staff get the PINFL of the people they see
        self.assertIn("Shahnoza", alices)
        self.assertNotIn("Xurshid", alices)

    def test_it_applies_the_list_pages_filters(self) -> None:
        job = self.export(self.frank, "households", {"district": str(self.xiva.pk)})
        body = self.download(self.frank, job).decode("utf-8-sig")
        self.assertIn("Xudoyberganovlar", body)
        self.assertNotIn("Karimovlar", body)
        self.assertEqual(job.done, 1)
        job = self.export(self.frank, "people", {"group": "vulnerable_child"})
        self.assertEqual(job.done, 1)  # Shahnoza only: the enrolled child

    def test_it_pseudonymises_the_me_officers_rows(self) -> None:
        job = self.export(self.erin, "people")
        self.assertEqual(job.done, 3)  # her programme's people: Dilshod, Shahnoza, Xurshid
        body = self.download(self.erin, job)
        for secret in ("Shahnoza", "Karimov", "Dilshod", "Xurshid", PINFL, "2014-05-20"):
            self.assertNotIn(secret.encode(), body)
        text = body.decode("utf-8-sig")
        self.assertIn(pseudonym("person", self.child.pk), text)
        self.assertIn(f"female,2014,{age_band(dt.date(2014, 5, 20), dt.date.today())}", text)
        self.assertTrue(job.params["pseudonymised"])
        # The same record gets the same pseudonym in the next export.
        again = self.download(self.erin, self.export(self.erin, "people")).decode("utf-8-sig")
        self.assertIn(pseudonym("person", self.child.pk), again)

    def test_it_ignores_a_name_search_in_a_pseudonymised_export(self) -> None:
        job = self.export(self.erin, "households", {"q": "Karimov"})
        self.assertEqual(job.done, 2)  # both households: the name told nothing
        self.assertEqual(job.params["query"], {"q": "Karimov"})

    def test_it_writes_an_xlsx_workbook(self) -> None:
        job = self.export(self.alice, "households", fmt="xlsx")
        book = load_workbook(io.BytesIO(self.download(self.alice, job)), read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("id", "Household id", "Family name of the household"))
        self.assertEqual(rows[1][0], str(self.household.pk))
        self.assertEqual(len(rows), 2)


class ExportAuditTests(ExportTestCase):
    def test_it_writes_one_audit_event_with_the_row_count_and_filters(self) -> None:
        before = AuditEvent.objects.filter(action="transfer.export").count()
        job = self.export(self.frank, "households", {"district": str(self.xiva.pk), "junk": "x"})
        event = AuditEvent.objects.filter(action="transfer.export").get()
        self.assertEqual(before, 0)
        self.assertEqual(event.kind, AuditEvent.Kind.READ)
        self.assertEqual(event.target_id, str(job.pk))
        self.assertEqual(
            event.after,
            {
                "list": "households",
                "rows": 1,
                "filters": {"district": str(self.xiva.pk)},
                "format": "csv",
                "pseudonymised": False,
            },
        )


class ExportDownloadTests(ExportTestCase):
    def test_it_serves_the_file_only_to_its_creator_as_an_attachment(self) -> None:
        job = self.export(self.alice, "households")
        url = reverse("transfer:job-download", args=[job.pk])
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.alice)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        b"".join(response.streaming_content)
        self.assertTrue(
            AuditEvent.objects.filter(action="transfer.download", target_id=str(job.pk)).exists()
        )

    def test_the_link_expires_and_the_file_is_deleted(self) -> None:
        job = self.export(self.alice, "households")
        path = job_path(job)
        self.assertTrue(path.exists())
        self.assertEqual(path.stat().st_mode & 0o777, 0o600)
        Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        self.client.force_login(self.alice)
        url = reverse("transfer:job-download", args=[job.pk])
        self.assertEqual(self.client.get(url).status_code, 404)  # expired, even before the sweep
        self.assertEqual(services.jobs_expire(), 1)
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.EXPIRED)
        self.assertFalse(path.exists())
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_refuses_roles_that_do_not_export(self) -> None:
        for user in (self.dave, self.grace, self.heidi):
            self.client.force_login(user)
            response = self.client.get(reverse("transfer:export") + "?list=households")
            self.assertEqual(response.status_code, 404)


class CellTests(TransferTestCase):
    def test_it_defuses_formulas_but_not_phone_numbers(self) -> None:
        self.assertEqual(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)")
        self.assertEqual(cell("@SUM(A1)"), "'@SUM(A1)")
        self.assertEqual(cell("+998 90 123 45 67"), "+998 90 123 45 67")
        self.assertEqual(cell("-5"), "-5")
        self.assertEqual(cell("Karimov"), "Karimov")

    def test_it_bands_ages(self) -> None:
        on = dt.date(2026, 6, 1)
        self.assertEqual(age_band(dt.date(2014, 6, 2), on), "10–14")  # 11 the day before
        self.assertEqual(age_band(dt.date(2008, 6, 1), on), "18–24")
        self.assertEqual(age_band(dt.date(1950, 1, 1), on), "60+")
        self.assertEqual(age_band(None, on), "")
