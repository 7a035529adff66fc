"""The registry's pages: who may see what, search, filters, pagination and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from oila.geo.models import Mahalla
from oila.registry import services as registry
from oila.registry.models import Enrolment
from tests.base import OilaTestCase, with_audit

OUTSIDERS = ("carol", "dave", "erin", "grace", "heidi")
NON_CASE_ROLES = ("dave", "erin", "grace", "heidi")


def register(actor: Any, name: str, district: Any, **extra: Any) -> Any:
    members = extra.pop("members", None) or [
        {"given_name": "Aziz", "family_name": name, "sex": "male", "relationship": "head"}
    ]
    return registry.household_register(
        actor=actor, data={"name": name, "district": district, **extra}, members=members
    )


class EnglishPages(OilaTestCase):
    """Pages in English, whatever the deployment's default language (uz)."""

    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


class HouseholdListTests(EnglishPages):
    url = reverse("registry:households")

    def names(self, user: Any, **params: Any) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(self.url, params)
        self.assertEqual(response.status_code, 200)
        return [h.name for h in response.context["page"].object_list]

    def test_it_redirects_anonymous_users_to_the_login(self) -> None:
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('login')}?next={self.url}")

    def test_it_lists_alices_household_for_alice_her_supervisor_and_the_manager(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.assertEqual(self.names(user), ["Karimovlar"])

    def test_it_hides_alices_household_from_another_teams_caseworker(self) -> None:
        self.other_team_household()
        self.assertEqual(self.names(self.carol), ["Xudoyberganovlar"])

    def test_it_is_not_found_for_roles_that_do_not_work_with_cases(self) -> None:
        for name in NON_CASE_ROLES:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_shows_the_district_mahalla_member_count_and_caseworker(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Urganch")
        self.assertContains(response, "Navroʻz MFY")
        self.assertContains(response, 'class="num">2</td>', html=False)
        self.assertContains(response, "alice")

    def test_it_finds_a_name_stored_in_latin_when_typed_in_cyrillic(self) -> None:
        self.assertEqual(self.names(self.alice, q="Шаҳноза"), ["Karimovlar"])
        self.assertEqual(self.names(self.alice, q="Шаҳноза Каримова"), ["Karimovlar"])

    def test_it_finds_a_name_stored_in_cyrillic_when_typed_in_latin(self) -> None:
        register(
            self.alice,
            "Юсуповлар",
            self.urganch,
            members=[{"given_name": "Шаҳноза", "family_name": "Юсупова", "sex": "female"}],
        )
        self.assertEqual(self.names(self.alice, q="Yusupova"), ["Юсуповлар"])
        self.assertEqual(self.names(self.alice, q="shahnoza"), ["Karimovlar", "Юсуповлар"])

    def test_it_finds_nothing_for_a_name_nobody_has(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"q": "Zulfiya"})
        self.assertEqual(list(response.context["page"].object_list), [])
        self.assertContains(response, "No household matches")

    def test_it_filters_by_district_and_mahalla(self) -> None:
        register(self.alice, "Xivaliklar", self.xiva)
        self.assertEqual(self.names(self.alice, district=self.xiva.pk), ["Xivaliklar"])
        self.assertEqual(self.names(self.alice, mahalla=self.mahalla.pk), ["Karimovlar"])
        self.assertEqual(self.names(self.alice), ["Karimovlar", "Xivaliklar"])

    def test_it_filters_by_beneficiary_group_and_status(self) -> None:
        register(self.alice, "Yoshlar", self.urganch)
        group = Enrolment.Group.VULNERABLE_CHILD
        self.assertEqual(self.names(self.alice, group=group), ["Karimovlar"])
        self.assertEqual(self.names(self.alice, group=Enrolment.Group.YOUTH), [])
        self.assertEqual(self.names(self.alice, status="active"), ["Karimovlar"])
        enrolment = self.child.enrolments.get()
        registry.enrolment_set_status(actor=self.alice, enrolment=enrolment, status="graduated")
        self.assertEqual(self.names(self.alice, status="active"), [])
        self.assertEqual(self.names(self.alice, group=group, status="graduated"), ["Karimovlar"])

    def test_a_group_counts_the_current_members_only(self) -> None:
        group = Enrolment.Group.VULNERABLE_CHILD
        self.assertEqual(self.names(self.alice, group=group), ["Karimovlar"])
        membership = self.child.memberships.get()
        registry.membership_end(actor=self.alice, membership=membership, ended_on=dt.date.today())
        self.assertEqual(self.names(self.alice, group=group), [])  # her enrolment went with her

    def test_it_shows_an_invalid_filter_as_an_error_and_ignores_it(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"district": "not-a-district"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("district", response.context["form"].errors)
        self.assertEqual(len(response.context["page"].object_list), 1)

    def test_it_paginates_25_a_page_and_keeps_the_filters_in_page_links(self) -> None:
        for i in range(26):
            register(self.alice, f"Oila {i:02}", self.xiva)
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"district": self.xiva.pk})
        self.assertEqual(len(response.context["page"].object_list), 25)
        self.assertContains(response, f"?district={self.xiva.pk}&amp;page=2")
        response = self.client.get(self.url, {"district": self.xiva.pk, "page": 2})
        self.assertEqual([h.name for h in response.context["page"].object_list], ["Oila 25"])

    def test_it_returns_only_the_results_to_htmx(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"q": "Karim"}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "<form")
        self.assertContains(response, "Karimovlar")
        self.assertIn("HX-Request", response["Vary"])

    def test_it_returns_the_whole_page_when_htmx_restores_history(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(
            self.url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
        )
        self.assertContains(response, "<html")

    def test_the_search_box_updates_the_results_as_one_types(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, 'hx-trigger="keyup changed delay:300ms, search"')
        self.assertContains(response, 'hx-target="#results"')
        self.assertContains(response, 'id="results"')

    def test_its_query_count_does_not_grow_with_the_number_of_households(self) -> None:
        self.client.force_login(self.alice)
        params = {"district": self.urganch.pk, "mahalla": self.mahalla.pk, "group": "", "q": "a"}
        # session, user+team+programme+bell (visibility), district and mahalla checked, one page
        # of households (it holds them all: no count), districts and mahallas listed for the selects.
        with self.assertNumQueries(7):
            self.client.get(self.url, params)
        for i in range(5):
            register(self.alice, f"Oila {i}", self.urganch, mahalla=self.mahalla)
        with self.assertNumQueries(7):
            response = self.client.get(self.url, params)
        self.assertEqual(len(response.context["page"].object_list), 6)


class HouseholdPageTests(EnglishPages):
    def url(self, household: Any = None) -> str:
        return reverse("registry:household", args=[(household or self.household).pk])

    def test_it_shows_the_household_to_alice_bob_and_frank(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(self.url())
                self.assertContains(response, "<h1>Karimovlar</h1>", html=True)

    def test_it_is_not_found_for_everyone_else(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_it_redirects_anonymous_users_to_the_login(self) -> None:
        response = self.client.get(self.url())
        self.assertRedirects(response, f"{reverse('login')}?next={self.url()}")

    def test_an_unknown_id_is_not_found(self) -> None:
        self.client.force_login(self.frank)
        url = reverse("registry:household", args=["8d0b5a1e-59a5-4a5c-9d57-9d5c3f0e0a11"])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get("/households/123/").status_code, 404)

    def test_it_shows_members_enrolments_care_and_consents(self) -> None:
        registry.household_update(
            actor=self.alice,
            household=self.household,
            data={"income_sources": ["seasonal", "benefits"], "monthly_income_uzs": 1500000},
        )
        registry.care_arrangement_record(
            actor=self.alice,
            person=self.child,
            data={"type": "parental", "started_on": dt.date(2014, 5, 20)},
        )
        registry.consent_record(
            actor=self.alice,
            person=self.child,
            data={"purpose": "photos", "given_by": "caregiver", "given_on": dt.date(2024, 1, 5)},
        )
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        for text in (
            "Dilshod Karimov", "Shahnoza Karimova", "head of household", "child of a vulnerable "
            "family", "parental care", "photos", "parent or caregiver", "seasonal or day labour",
            "1,500,000",
        ):  # fmt: skip
            self.assertContains(response, text)
        self.assertContains(response, reverse("registry:person", args=[self.child.pk]))
        self.assertContains(response, reverse("registry:household-edit", args=[self.household.pk]))

    def test_it_lists_former_members_apart(self) -> None:
        membership = self.household.memberships.get(person=self.child)
        registry.membership_end(actor=self.alice, membership=membership, ended_on=dt.date.today())
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "Former members")

    def test_its_query_count_does_not_grow_with_the_number_of_members(self) -> None:
        self.client.force_login(self.alice)
        # 12 for the page and its audited read (the bell's count comes with the user)
        with self.assertNumQueries(with_audit(12)):
            self.client.get(self.url())
        for i in range(4):
            registry.household_member_add(
                actor=self.alice,
                household=self.household,
                member={"given_name": f"Bola {i}", "family_name": "Karimov", "sex": "male",
                        "relationship": "child", "group": "vulnerable_child"},
            )  # fmt: skip
        with self.assertNumQueries(with_audit(12)):
            self.client.get(self.url())


class PersonPageTests(EnglishPages):
    def url(self) -> str:
        return reverse("registry:person", args=[self.child.pk])

    def test_it_shows_the_person_to_alice_bob_and_frank(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertContains(self.client.get(self.url()), "Shahnoza Karimova")

    def test_it_is_not_found_for_everyone_else(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_it_redirects_anonymous_users_to_the_login(self) -> None:
        self.assertRedirects(self.client.get(self.url()), f"{reverse('login')}?next={self.url()}")

    def test_it_shows_only_the_last_four_digits_of_the_pinfl(self) -> None:
        registry.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "31405201234567"}
        )
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "••••••••••4567")
        self.assertNotContains(response, "31405201234567")

    def test_it_shows_the_details_a_caseworker_needs(self) -> None:
        registry.person_update(
            actor=self.alice,
            person=self.child,
            data={"wg_walking": 3, "patronymic": "Dilshod qizi"},
        )
        registry.consent_record(
            actor=self.alice,
            person=self.child,
            data={"purpose": "photos", "given_by": "caregiver", "given_on": dt.date(2024, 1, 5)},
        )
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        for text in (
            "Dilshod qizi", "female", "Latin", "Difficulty walking or climbing steps",
            "a lot of difficulty", "Karimovlar", "child of a vulnerable family", "photos",
        ):  # fmt: skip
            self.assertContains(response, text)
        self.assertContains(response, reverse("registry:person-edit", args=[self.child.pk]))

    def test_it_says_an_age_from_an_estimated_birth_date_is_approximate(self) -> None:
        person = registry.household_member_add(
            actor=self.alice,
            household=self.household,
            member={"given_name": "Oydin", "family_name": "Karimova", "sex": "female",
                    "estimated_age": 70, "relationship": "parent"},
        )  # fmt: skip
        self.client.force_login(self.alice)
        response = self.client.get(reverse("registry:person", args=[person.pk]))
        self.assertContains(response, "estimated")
        self.assertContains(response, "about 70")


class MahallaOptionsTests(EnglishPages):
    def test_it_lists_the_mahallas_of_one_district(self) -> None:
        Mahalla.objects.create(district=self.xiva, name_uz="Ichan qalʼa MFY")
        self.client.force_login(self.alice)
        url = reverse("registry:mahalla-options")
        response = self.client.get(url, {"district": self.urganch.pk})
        self.assertContains(response, "Navroʻz MFY")
        self.assertNotContains(response, "Ichan qalʼa MFY")
        self.assertContains(self.client.get(url, {"district": "x"}), "Choose a district first")

    def test_it_requires_a_login(self) -> None:
        response = self.client.get(reverse("registry:mahalla-options"))
        self.assertEqual(response.status_code, 302)
