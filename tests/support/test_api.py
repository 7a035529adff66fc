"""API v1 of services and referrals for the programme's staff: the same rules as the pages, JSON in
and out, 404 out of scope, every read of a record audited, list query counts pinned."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.support.models import Referral, ServiceDelivery
from tests.cases.factories import sharing_consent
from tests.support.base import SupportTestCase
from tests.support.factories import individual, refer
from tests.support.test_deliveries import children

DELIVERIES = "/api/v1/deliveries/"
REFERRALS = "/api/v1/referrals/"
TYPES = "/api/v1/service-types/"


class ApiTestCase(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.api = APIClient()
        self.api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.api.force_authenticate(self.alice)

    def as_user(self, user: Any) -> APIClient:
        self.api.force_authenticate(user)
        return self.api


class ServiceTypeApiTests(ApiTestCase):
    def test_anonymous_clients_get_401(self) -> None:
        self.assertEqual(APIClient().get(TYPES).status_code, 401)

    def test_it_lists_the_programmes_catalogue_with_names_in_every_language(self) -> None:
        body = self.api.get(TYPES).json()
        self.assertEqual(body["count"], 15)
        tutoring = next(t for t in body["results"] if t["code"] == "tutoring")
        self.assertEqual(tutoring["name"], "Tutoring")
        self.assertEqual(set(tutoring["names"]), {"en", "uz", "uz-cyrl", "ru"})
        self.assertTrue(tutoring["is_group_capable"])

    def test_a_partner_sees_what_its_agency_offers(self) -> None:
        codes = [t["code"] for t in self.as_user(self.dave).get(TYPES).json()["results"]]
        self.assertEqual(codes, ["tutoring", "school_supplies"])


class DeliveryApiTests(ApiTestCase):
    def body(self, people: list[Any], **extra: Any) -> dict[str, Any]:
        return {"service_type": str(self.group_type.pk), "kind": "group",
                "delivered_on": today().isoformat(), "provider_user": str(self.alice.pk),
                "duration_minutes": 60,
                "attendance": [{"person": str(p.pk)} for p in people], **extra}  # fmt: skip

    def test_it_records_a_group_session_and_reads_it_back(self) -> None:
        kids = children(self.alice, 10, self.urganch)
        response = self.api.post(DELIVERIES, self.body(kids), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        delivery = ServiceDelivery.objects.get()
        self.assertEqual(response["Location"], f"{DELIVERIES}{delivery.pk}/")
        self.assertEqual(response.json()["present"], 10)
        detail = self.api.get(f"{DELIVERIES}{delivery.pk}/").json()
        self.assertEqual(len(detail["attendance"]), 10)
        self.assertEqual(AuditEvent.objects.filter(action="delivery.view").count(), 1)

    def test_bad_input_is_400_and_saves_nothing(self) -> None:
        outsider = self.other_team_household().memberships.get().person
        cases = [
            (self.body([self.child], kind="solo"), "kind"),
            (self.body([self.child], provider_user=None), "provider_user"),
            (self.body([self.child], service_type=str(self.case.pk)), "service_type"),
            (self.body([self.child, outsider]), "attendees"),
            (self.body([self.child], service_type=str(self.checkup.pk)), "kind"),
            (self.body([self.child], duration_minutes=None), "duration_minutes"),
        ]
        for body, field in cases:
            with self.subTest(field=field):
                response = self.api.post(DELIVERIES, body, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        self.assertFalse(ServiceDelivery.objects.exists())

    def test_roles_that_do_not_record_get_403_and_other_teams_404(self) -> None:
        for user in (self.dave, self.erin):
            with self.subTest(user=user.username):
                response = self.as_user(user).post(
                    DELIVERIES, self.body([self.child]), format="json"
                )
                self.assertEqual(response.status_code, 403)
        delivery = individual(self.alice, self.tutoring, self.child, case=self.case)
        self.assertEqual(
            self.as_user(self.carol).get(f"{DELIVERIES}{delivery.pk}/").status_code, 404
        )
        self.assertEqual(self.api.get(DELIVERIES).json()["results"], [])

    def test_the_list_query_count_is_fixed(self) -> None:
        individual(self.alice, self.tutoring, self.child, case=self.case)
        # count, one page (alice's team and programme, for visibility, are loaded already)
        with self.assertNumQueries(2):
            self.api.get(DELIVERIES)
        for _i in range(5):
            individual(self.alice, self.tutoring, self.child, case=self.case)
        with self.assertNumQueries(2):
            body = self.api.get(DELIVERIES).json()
        self.assertEqual(body["count"], 6)


class ReferralApiTests(ApiTestCase):
    def body(self, **extra: Any) -> dict[str, Any]:
        return {"case": str(self.case.pk), "person": str(self.child.pk),
                "service_type": str(self.tutoring.pk), "to_organisation": str(self.partner_org.pk),
                "urgency": "high", "reason": "Falling behind.", **extra}  # fmt: skip

    def test_without_consent_it_is_refused_with_the_reason(self) -> None:
        response = self.api.post(REFERRALS, self.body(), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("No current consent to share information about Shahnoza Karimova",
                      response.json()["consent"][0])  # fmt: skip
        response = self.api.post(REFERRALS, self.body(override_reason="Urgent."), format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("override_reason", response.json())
        self.assertFalse(Referral.objects.exists())

    def test_a_supervisor_overrides_with_a_reason(self) -> None:
        response = self.as_user(self.bob).post(
            REFERRALS,
            self.body(override_reason="Exams on Monday; mother unreachable."),
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["override_by"]["id"], str(self.bob.pk))
        self.assertEqual(AuditEvent.objects.filter(action="referral.consent_override").count(), 1)

    def test_it_refers_lists_reads_and_records_answers(self) -> None:
        sharing_consent(self.alice, self.child)
        response = self.api.post(REFERRALS, self.body(), format="json")
        self.assertEqual(response.status_code, 201, response.content)
        referral = Referral.objects.get()
        self.assertEqual(response["Location"], f"{REFERRALS}{referral.pk}/")
        listed = self.api.get(REFERRALS).json()["results"]
        self.assertEqual([r["id"] for r in listed], [str(referral.pk)])
        self.assertNotIn("reason", listed[0])
        detail = self.api.get(f"{REFERRALS}{referral.pk}/").json()
        self.assertEqual(detail["reason"], "Falling behind.")
        self.assertEqual(AuditEvent.objects.filter(action="referral.view").count(), 1)
        self.assertEqual(
            self.api.post(f"{REFERRALS}{referral.pk}/accept/").json()["status"], "accepted"
        )
        report = self.api.post(
            f"{REFERRALS}{referral.pk}/report/",
            {"outcome": "not_completed", "feedback": "Moved away."},
            format="json",
        )
        self.assertEqual(report.json()["status"], "not_completed")

    def test_an_agency_that_does_not_offer_the_service_is_400(self) -> None:
        sharing_consent(self.alice, self.child)
        response = self.api.post(
            REFERRALS, self.body(service_type=str(self.checkup.pk)), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("does not offer", response.json()["to_organisation"][0])

    def test_scope(self) -> None:
        sharing_consent(self.alice, self.child)
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        carol = self.as_user(self.carol)
        self.assertEqual(carol.get(f"{REFERRALS}{referral.pk}/").status_code, 404)
        self.assertEqual(carol.post(f"{REFERRALS}{referral.pk}/accept/").status_code, 404)
        self.assertEqual(carol.post(REFERRALS, self.body(), format="json").status_code, 404)
        response = self.as_user(self.dave).post(REFERRALS, self.body(), format="json")
        self.assertEqual(response.status_code, 403)

    def test_the_list_query_count_is_fixed(self) -> None:
        sharing_consent(self.alice, self.child)
        refer(self.alice, self.case, self.tutoring, self.partner_org)
        # count, one page (alice's team and programme, for visibility, are loaded already)
        with self.assertNumQueries(2):
            self.api.get(REFERRALS)
        for _i in range(5):
            refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertNumQueries(2):
            body = self.api.get(REFERRALS, {"overdue": "false"}).json()
        self.assertEqual(body["count"], 6)
