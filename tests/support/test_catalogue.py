"""The service catalogue: shipped for every programme, translatable, configured in the admin."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from oila.accounts.models import Programme
from oila.audit.models import AuditEvent
from oila.common.script import latin_to_cyrillic
from oila.support import services
from oila.support.models import OrganisationService, ServiceType
from tests.support.base import SupportTestCase


class CatalogueTests(SupportTestCase):
    def test_every_shipped_service_has_its_name_in_the_four_languages(self) -> None:
        types = ServiceType.objects.filter(programme=self.programme)
        self.assertEqual(types.count(), 15)
        self.assertEqual(
            set(types.values_list("category", flat=True)),
            {"psychosocial", "education", "health", "legal", "economic", "parenting", "day_care"},
        )
        for service_type in types:
            with self.subTest(code=service_type.code):
                names = service_type.names
                self.assertTrue(all(names[lang] for lang in ("en", "uz", "uz-cyrl", "ru")))
                self.assertEqual(names["uz-cyrl"], latin_to_cyrillic(names["uz"]))

    def test_the_name_follows_the_language(self) -> None:
        for language, name in (("en", "Tutoring"), ("ru", "Репетиторство"),
                               ("uz", "Qoʻshimcha dars (repetitorlik)"),
                               ("uz-cyrl", "Қўшимча дарс (репетиторлик)")):  # fmt: skip
            with self.subTest(language=language), translation.override(language):
                self.assertEqual(self.tutoring.name, name)

    def test_seeding_a_new_programme_adds_the_catalogue_once(self) -> None:
        programme = Programme.objects.create(
            name="Tashkent", slug="tashkent", organisation=self.ngo, starts_on=dt.date(2026, 1, 1)
        )
        out = StringIO()
        call_command("service-catalogue", "tashkent", stdout=out)
        self.assertIn("15 service types added", out.getvalue())
        self.assertEqual(services.service_catalogue_seed(programme=programme), 0)
        self.assertEqual(ServiceType.objects.filter(programme=programme).count(), 15)
        self.assertEqual(AuditEvent.objects.filter(action="service_catalogue.seed",
                                                   target_id=str(programme.pk)).count(), 1)  # fmt: skip

    def test_only_administrators_and_managers_say_what_an_agency_offers(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.organisation_services_set(actor=self.alice, organisation=self.partner_org,
                                               service_types=[self.checkup])  # fmt: skip
        services.organisation_services_set(actor=self.frank, organisation=self.partner_org,
                                           service_types=[self.tutoring, self.checkup])  # fmt: skip
        offered = set(OrganisationService.objects.filter(organisation=self.partner_org)
                      .values_list("service_type__code", flat=True))  # fmt: skip
        self.assertEqual(offered, {"tutoring", "health_check"})
        self.assertTrue(AuditEvent.objects.filter(action="organisation.services").exists())

    def test_the_admin_edits_the_names_and_the_agencies(self) -> None:
        self.client.force_login(self.heidi)
        self.heidi.is_superuser = True
        self.heidi.save()
        url = reverse("admin:support_servicetype_change", args=[self.tutoring.pk])
        self.assertContains(self.client.get(url), "Qoʻshimcha dars")
        self.assertEqual(
            self.client.get(reverse("admin:support_servicetype_changelist")).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("admin:support_organisationservice_changelist")).status_code,
            200,
        )
