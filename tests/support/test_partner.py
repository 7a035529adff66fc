"""The partner portal: a partner focal point sees the referrals addressed to its agency, with the
shared fields only, answers them, and reaches nothing else (404 for every household, person and case
URL, in the pages and the API)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from oila.cases import services as cases
from oila.cases.models import Case
from oila.common.dates import age_on, today
from oila.plans.models import Action
from oila.registry import services as registry
from oila.registry.models import Household, Person
from oila.support import services
from oila.support.models import Referral
from oila.support.selectors import SharedReferral
from tests.base import with_audit
from tests.cases.factories import sharing_consent
from tests.plans.factories import action as plan_action
from tests.plans.factories import approved
from tests.support.base import SupportTestCase
from tests.support.factories import individual, refer

INBOX = reverse("support:partner-referrals")
API_INBOX = "/api/v1/partner/referrals/"
PINFL = "31405201234567"
SECRET_NOTE = "Father drinks; neighbours call the police"  # a case note: never for partners


def routes(namespaces: set[str]) -> list[tuple[str, str, str]]:
    """(namespace, name, route) of every URL of these namespaces."""
    found: list[tuple[str, str, str]] = []

    def walk(patterns: Any, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif namespace in namespaces and p.name:
                found.append((namespace, p.name, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", None)
    return found


def personal_models(response: Any) -> list[str]:
    """Records of people, households, cases or referrals in a page's template context."""
    kinds = (Person, Household, Case, Referral)
    out = []
    for context in response.context or []:
        for layer in context.dicts:
            for key, value in layer.items():
                if isinstance(value, kinds) or (
                    isinstance(value, list | tuple) and any(isinstance(v, kinds) for v in value)
                ):
                    out.append(key)
    return out


class PartnerTestCase(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        registry.person_update(actor=self.alice, person=self.child,
                               data={"pinfl": PINFL, "patronymic": "Dilshodovna"})  # fmt: skip
        registry.household_update(
            actor=self.alice,
            household=self.household,
            data={"address": "Al-Xorazmiy koʻchasi 5", "phone": "+998 62 224 55 66"},
        )
        cases.visit_record(actor=self.alice, case=self.case, on=today(), kind="home",
                           narrative=SECRET_NOTE)  # fmt: skip
        sharing_consent(self.alice, self.child)
        self.mine = refer(self.alice, self.case, self.tutoring, self.partner_org, urgency="high")
        self.theirs = refer(self.alice, self.case, self.checkup, self.health_org)
        self.api = APIClient()
        self.api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class PartnerInboxTests(PartnerTestCase):
    def test_dave_sees_only_his_agencys_referrals_in_the_pages(self) -> None:
        self.login(self.dave)
        response = self.client.get(INBOX)
        self.assertEqual([r.id for r in response.context["referrals"]], [self.mine.pk])
        self.assertContains(response, "Shahnoza Karimova")
        self.assertContains(response, "Tutoring")
        self.assertNotContains(response, "Medical check-up")
        self.assertEqual(
            self.client.get(reverse("support:partner-referral", args=[self.mine.pk])).status_code,
            200,
        )
        self.assertEqual(
            self.client.get(reverse("support:partner-referral", args=[self.theirs.pk])).status_code,
            404,
        )
        self.login(self.hana)
        self.assertEqual(
            [r.id for r in self.client.get(INBOX).context["referrals"]], [self.theirs.pk]
        )

    def test_dave_sees_only_his_agencys_referrals_in_the_api(self) -> None:
        self.api.force_authenticate(self.dave)
        body = self.api.get(API_INBOX).json()
        self.assertEqual([r["id"] for r in body["results"]], [str(self.mine.pk)])
        self.assertEqual(self.api.get(f"{API_INBOX}{self.mine.pk}/").status_code, 200)
        self.assertEqual(self.api.get(f"{API_INBOX}{self.theirs.pk}/").status_code, 404)
        self.assertEqual(self.api.post(f"{API_INBOX}{self.theirs.pk}/accept/").status_code, 404)
        # The staff endpoints give a partner nothing, not even its own agency's referrals.
        self.assertEqual(self.api.get("/api/v1/referrals/").json()["results"], [])
        self.assertEqual(self.api.get(f"/api/v1/referrals/{self.mine.pk}/").status_code, 404)

    def test_other_roles_have_no_inbox(self) -> None:
        for user in (self.alice, self.bob, self.frank, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(INBOX).status_code, 404)
                url = reverse("support:partner-referral", args=[self.mine.pk])
                self.assertEqual(self.client.get(url).status_code, 404)
                self.api.force_authenticate(user)
                self.assertEqual(self.api.get(API_INBOX).json()["results"], [])
                self.assertEqual(self.api.get(f"{API_INBOX}{self.mine.pk}/").status_code, 404)

    def test_dave_gets_404_for_every_household_person_and_case_url(self) -> None:
        plan = approved(self.alice, self.bob, self.case)
        action = Action.objects.get(goal__plan=plan)
        delivery = individual(self.alice, self.tutoring, self.child, case=self.case)
        ids = {
            "household_id": self.household.pk, "person_id": self.child.pk, "case_id": self.case.pk,
            "consent_id": self.child.consents.get().pk, "enrolment_id": self.child.enrolments.get().pk,
            "plan_id": plan.pk, "goal_id": action.goal_id, "action_id": action.pk,
            "placement_id": self.child.pk, "assessment_id": self.case.pk, "code": "csi",
            "delivery_id": delivery.pk, "referral_id": self.mine.pk,
        }  # fmt: skip
        api_pk = {"household": self.household.pk, "person": self.child.pk, "case": self.case.pk,
                  "plan": plan.pk, "delivery": delivery.pk, "referral": self.mine.pk,
                  "assessment": self.case.pk}  # fmt: skip
        self.login(self.dave)
        self.api.force_authenticate(self.dave)
        checked = 0
        for namespace, name, route in routes(
            {"registry", "cases", "plans", "assessments", "support", "registry_api", "cases_api",
             "plans_api", "assessments_api", "support_api"}
        ):  # fmt: skip
            params = re.findall(r"<(?:\w+:)?(\w+)>", route)
            if name.startswith("partner-") or not params:
                continue
            if params == ["pk"]:
                resource = name.split("-")[0]
                if resource not in api_pk:
                    continue  # instruments, service types, notifications: no one's personal data
                kwargs = {"pk": api_pk[resource]}
            else:
                kwargs = {p: ids[p] for p in params}
            url = reverse(f"{namespace}:{name}", kwargs=kwargs)
            client = self.api if namespace.endswith("_api") else self.client
            with self.subTest(url=url):
                status = client.get(url).status_code
                if status == 405:  # a POST-only URL
                    status = client.post(url, {}).status_code
                self.assertEqual(status, 404)
                checked += 1
        self.assertGreater(checked, 50)
        for url in (reverse("registry:households"), reverse("cases:cases"), reverse("support:referrals"),
                    reverse("support:deliveries")):  # fmt: skip
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        for url in (
            "/api/v1/households/",
            "/api/v1/people/",
            "/api/v1/cases/",
            "/api/v1/deliveries/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.api.get(url).json()["results"], [])


class SharedFieldsTests(PartnerTestCase):
    def pages(self) -> list[Any]:
        self.login(self.dave)
        self.api.force_authenticate(self.dave)
        detail = reverse("support:partner-referral", args=[self.mine.pk])
        return [self.client.get(INBOX), self.client.get(detail), self.api.get(API_INBOX),
                self.api.get(f"{API_INBOX}{self.mine.pk}/")]  # fmt: skip

    def test_responses_to_dave_hold_no_pinfl_notes_or_fields_outside_the_shared_list(self) -> None:
        responses = self.pages()
        for response in responses:
            with self.subTest(url=response.wsgi_request.path):
                self.assertEqual(response.status_code, 200)
                text = response.content.decode()
                self.assertNotIn(PINFL, text)
                self.assertNotIn(PINFL[-4:], text)
                self.assertNotIn(SECRET_NOTE, text)
                self.assertNotIn("Dilshod", text)  # her patronymic, her father: not shared
                self.assertNotIn("2014-05-20", text)  # the date of birth (her age is shared)
                self.assertNotIn("Al-Xorazmiy", text)  # the address is not shared by default
                self.assertNotIn(self.case.number, text)
                self.assertNotIn(str(self.case.pk), text)
                self.assertNotIn(str(self.child.pk), text)
                self.assertNotIn(str(self.household.pk), text)
        detail = responses[1]
        self.assertIsInstance(detail.context["referral"], SharedReferral)
        self.assertEqual(personal_models(detail), [])
        self.assertEqual(personal_models(responses[0]), [])
        for label in ("Shahnoza", "Karimova", "female", "Urganch", "Navroʻz MFY",
                      "+998 62 224 55 66", "Tutoring", "high", "Falling behind at school"):  # fmt: skip
            self.assertContains(detail, label)
        shared = responses[3].json()["shared"]
        self.assertEqual(
            set(shared),
            {"given_name", "family_name", "sex", "age", "district", "mahalla", "phone", "service",
             "urgency", "reason"},
        )  # fmt: skip
        self.assertEqual(shared["age"], age_on(dt.date(2014, 5, 20), today()))

    def test_the_shared_fields_are_configured_per_programme(self) -> None:
        self.programme.settings = {"referral_shared_fields": ["given_name", "service", "pinfl"]}
        self.programme.save()
        responses = self.pages()
        self.assertEqual(
            responses[3].json()["shared"], {"given_name": "Shahnoza", "service": "Tutoring"}
        )
        for response in responses:
            text = response.content.decode()
            self.assertNotIn("Karimova", text)
            self.assertNotIn("Falling behind", text)
            self.assertNotIn(PINFL, text)  # not a field that can be shared at all

    def test_a_household_referral_shares_the_familys_name_and_place(self) -> None:
        sharing_consent(self.alice, self.father)
        family = refer(self.alice, self.case, self.tutoring, self.partner_org, household=self.household,
                       person=None)  # fmt: skip
        self.api.force_authenticate(self.dave)
        shared = self.api.get(f"{API_INBOX}{family.pk}/").json()["shared"]
        self.assertEqual(shared["family_name"], "Karimovlar")
        self.assertNotIn("given_name", shared)
        self.assertEqual(shared["phone"], "+998 62 224 55 66")


class PartnerAnswerTests(PartnerTestCase):
    def test_accepting_and_completing_in_the_portal_shows_on_the_case_and_marks_the_action_done(
        self,
    ) -> None:
        plan = approved(self.alice, self.bob, self.case, goals=[{
            "text": "Shahnoza catches up at school",
            "actions": [plan_action(self.alice, description="Tutoring at School 12",
                                    responsible_organisation=self.partner_org)],
        }])  # fmt: skip
        action = Action.objects.get(goal__plan=plan)
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org, plan_action=action)
        self.login(self.dave)
        detail = reverse("support:partner-referral", args=[referral.pk])
        self.assertContains(self.client.get(detail), "Accept")
        response = self.client.post(reverse("support:partner-referral-accept", args=[referral.pk]))
        self.assertRedirects(response, detail)
        bad = self.client.post(reverse("support:partner-referral-report", args=[referral.pk]),
                               {"outcome": "completed", "feedback": ""})  # fmt: skip
        self.assertEqual(bad.status_code, 422)
        self.client.post(reverse("support:partner-referral-report", args=[referral.pk]),
                         {"outcome": "completed", "feedback": "Ten sessions; reading improved."})  # fmt: skip
        referral.refresh_from_db()
        self.assertEqual(referral.status, "completed")
        action.refresh_from_db()
        self.assertEqual(action.status, "done")
        self.login(self.alice)
        case_page = self.client.get(self.case.get_absolute_url())
        self.assertContains(case_page, "School 12 accepted the referral for")
        self.assertContains(case_page, "School 12 completed the referral for")
        self.assertContains(case_page, "Action “Tutoring at School 12” is done.")
        self.assertContains(
            self.client.get(referral.get_absolute_url()), "Ten sessions; reading improved."
        )

    def test_declining_in_the_api_needs_a_reason(self) -> None:
        self.api.force_authenticate(self.dave)
        url = f"{API_INBOX}{self.mine.pk}/decline/"
        self.assertEqual(self.api.post(url, {}, format="json").status_code, 400)
        response = self.api.post(url, {"reason": "No places this term."}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "declined")
        self.assertEqual(self.api.post(f"{API_INBOX}{self.mine.pk}/accept/").status_code, 400)

    def test_reading_a_referral_is_audited_once(self) -> None:
        self.api.force_authenticate(self.dave)
        self.api.get(f"{API_INBOX}{self.mine.pk}/")
        events = AuditEvent.objects.filter(
            action="referral.partner_view", target_id=str(self.mine.pk)
        )
        self.assertEqual(events.count(), 1)
        self.assertEqual(events.get().actor_id, self.dave.pk)
        self.api.get(API_INBOX)
        self.assertEqual(AuditEvent.objects.filter(action="referral.partner_list").count(), 1)

    def test_the_inbox_query_count_is_fixed_and_overdue_answers_are_flagged(self) -> None:
        Referral.objects.filter(pk=self.mine.pk).update(
            response_due_on=today() - dt.timedelta(days=2)
        )
        self.login(self.dave)
        # session, user, the referrals (one query, everything shared joined in), the audit event
        # of the read (savepoint, last event, insert, release); the bell comes with the user
        with self.assertNumQueries(with_audit(7)):
            response = self.client.get(INBOX)
        self.assertContains(response, "answer overdue")
        for _i in range(5):
            refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertNumQueries(with_audit(7)):
            response = self.client.get(INBOX, {"overdue": "on"})
        self.assertEqual([r.id for r in response.context["referrals"]], [self.mine.pk])
        self.api.force_authenticate(self.dave)
        # force_authenticate needs no session or user query: the referrals and the audit event
        with self.assertNumQueries(with_audit(5)):
            self.api.get(API_INBOX)

    def test_the_home_page_counts_the_inbox_and_links_to_it(self) -> None:
        accepted = refer(self.alice, self.case, self.tutoring, self.partner_org)
        services.referral_accept(actor=self.dave, referral=accepted)
        Referral.objects.filter(pk=self.mine.pk).update(
            response_due_on=today() - dt.timedelta(days=1)
        )
        self.login(self.dave)
        response = self.client.get(reverse("web:home"))
        self.assertContains(response, "1 new referral to answer")
        self.assertContains(response, "1 accepted referral to report on")
        self.assertContains(response, "1 answer overdue")
        self.assertContains(response, INBOX)
        self.assertNotContains(response, "Karimov")


class ModelsInContextTests(PartnerTestCase):
    """The guard itself: it finds a record where there is one."""

    def test_it_finds_a_person_in_a_context(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.child.get_absolute_url())
        self.assertIn("person", personal_models(response))
