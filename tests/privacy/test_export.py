"""A person's data exported by the DPO (GDPR art. 15): JSON and PDF, everything held, audited."""

from __future__ import annotations

import datetime as dt
import io
import json

from pypdf import PdfReader

from oila.audit.models import AuditEvent
from oila.cases import services as cases
from oila.common.dates import today
from oila.registry import services as registry
from tests.cases.factories import sharing_consent
from tests.support.base import SupportTestCase
from tests.support.factories import refer


class ExportTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        registry.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "31405209876543"}
        )
        cases.visit_record(actor=self.alice, case=self.case, on=today(), kind="home",
                           narrative="Talked with the grandmother about school.")  # fmt: skip
        sharing_consent(self.alice, self.child)
        self.referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.url = f"/dpo/people/{self.child.pk}/export"

    def test_it_exports_everything_held_as_json(self) -> None:
        self.login(self.grace)
        response = self.client.get(self.url + ".json")
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        data = json.loads(response.content)
        self.assertEqual(data["person"][0]["given_name"], "Shahnoza")
        self.assertEqual(data["person"][0]["pinfl"], "31405209876543")  # decrypted for the subject
        self.assertNotIn("pinfl_hash", data["person"][0])
        self.assertEqual([h["name"] for h in data["households"]], ["Karimovlar"])
        self.assertEqual([c["number"] for c in data["cases"]], [self.case.number])
        self.assertEqual(
            data["visits"][0]["narrative"], "Talked with the grandmother about school."
        )
        self.assertEqual(data["consents"][0]["purpose"], "information_sharing")
        self.assertEqual([r["id"] for r in data["referrals"]], [str(self.referral.pk)])
        self.assertEqual(len(data["enrolments"]), 1)
        actions = {e["action"] for e in data["audit_events"]}
        self.assertIn("case.open", actions)  # about her case
        self.assertIn("person.update", actions)  # about her record
        self.assertIn("consent.record", actions)

    def test_it_exports_a_pdf_with_latin_and_cyrillic_names(self) -> None:
        cyrillic = registry.person_create(
            actor=self.alice,
            data={"given_name": "Дилноза", "family_name": "Каримова", "sex": "female",
                  "birth_date": dt.date(2016, 2, 3)},
            household=self.household, relationship="child", started_on=dt.date(2020, 1, 1),
        )  # fmt: skip
        self.login(self.grace)
        response = self.client.get(f"/dpo/people/{cyrillic.pk}/export.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        self.assertIn("Дилноза Каримова", text)
        self.assertIn("Karimovlar", text)  # her household, in Latin
        response = self.client.get(self.url + ".pdf")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        self.assertIn("Shahnoza", text)
        self.assertIn("31405209876543", text)

    def test_each_export_is_audited(self) -> None:
        self.login(self.grace)
        self.client.get(self.url + ".json")
        self.client.get(self.url + ".pdf")
        events = AuditEvent.objects.filter(action="privacy.export").order_by("seq")
        child = str(self.child.pk)
        self.assertEqual(
            [(e.actor_username, e.target_id, e.after["format"]) for e in events],
            [("grace", child, "json"), ("grace", child, "pdf")],
        )

    def test_nobody_else_exports(self) -> None:
        for user in (self.alice, self.bob, self.frank, self.erin, self.dave, self.heidi):
            self.login(user)
            for ext in ("json", "pdf"):
                with self.subTest(user=user.username, ext=ext):
                    self.assertEqual(self.client.get(f"{self.url}.{ext}").status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action="privacy.export").exists())

    def test_a_dpo_exports_only_people_of_their_programmes(self) -> None:
        self.grace.programmes.clear()
        self.login(self.grace)
        self.assertEqual(self.client.get(self.url + ".json").status_code, 404)
