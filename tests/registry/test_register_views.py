"""Registering a family in one flow, and the pages that edit or add to the registry."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.core.exceptions import ValidationError
from django.urls import reverse

from oila.common.errors import ApplicationError
from oila.geo.models import Mahalla
from oila.registry import services as registry
from oila.registry.forms import Registration
from oila.registry.models import CareArrangement, Consent, Enrolment, Household, Person
from tests.registry.test_views import NON_CASE_ROLES, OUTSIDERS, EnglishPages

URL = reverse("registry:household-new")
FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()


def member(index: int, **values: Any) -> dict[str, Any]:
    return {f"members-{index}-{key}": value for key, value in values.items()}


class RegistrationTests(EnglishPages):
    def post_data(self, *members: dict[str, Any], **household: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "Rahimovlar",
            "kind": "vulnerable",
            "district": self.urganch.pk,
            "mahalla": self.mahalla.pk,
            "address": "Al-Xorazmiy 5",
            "income_sources": ["seasonal", "benefits"],
            "state_benefits": ["child_allowance"],
            "monthly_income_uzs": "1200000",
            "housing": "rented",
            "members-TOTAL_FORMS": str(len(members)),
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "1",
            "members-MAX_NUM_FORMS": "30",
            **household,
        }
        for index, values in enumerate(members):
            data.update(member(index, **values))
        return data

    def mother(self, **extra: Any) -> dict[str, Any]:
        return {"given_name": "Gulnora", "family_name": "Rahimova", "sex": "female",
                "birth_date": "1988-02-11", "relationship": "head", **extra}  # fmt: skip

    def son(self, **extra: Any) -> dict[str, Any]:
        return {"given_name": "Jasur", "family_name": "Rahimov", "sex": "male",
                "estimated_age": "9", "relationship": "child", "group": "vulnerable_child",
                "wg_seeing": "3", **extra}  # fmt: skip

    def assert_nothing_saved(self, response: Any, message: str) -> None:
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, message, status_code=422)
        self.assertContains(response, "Nothing was saved", status_code=422)
        self.assertEqual(Household.objects.count(), 1)
        self.assertEqual(Person.objects.count(), 2)

    def test_it_shows_the_form_to_caseworkers_supervisors_and_managers(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(URL)
                self.assertContains(response, 'name="members-TOTAL_FORMS"')
                self.assertContains(response, 'name="members-0-given_name"')
                self.assertContains(response, "Add another member")

    def test_it_is_not_found_for_roles_that_may_not_register(self) -> None:
        for name in NON_CASE_ROLES:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(URL).status_code, 404)
                self.assertEqual(
                    self.client.post(URL, self.post_data(self.mother())).status_code, 404
                )
        self.assertEqual(Household.objects.count(), 1)

    def test_it_redirects_anonymous_users_to_the_login(self) -> None:
        self.assertRedirects(self.client.get(URL), f"{reverse('login')}?next={URL}")

    def test_it_registers_the_household_its_members_and_their_enrolments(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data(self.mother(), self.son()))
        household = Household.objects.get(name="Rahimovlar")
        self.assertRedirects(response, household.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(household.caseworker, self.alice)
        self.assertEqual(household.income_sources, ["seasonal", "benefits"])
        self.assertEqual(household.monthly_income_uzs, 1200000)
        people = {m.person.given_name: m for m in household.memberships.select_related("person")}
        self.assertEqual(set(people), {"Gulnora", "Jasur"})
        jasur = people["Jasur"].person
        self.assertEqual(people["Jasur"].relationship, "child")
        self.assertTrue(jasur.birth_date_estimated)
        self.assertTrue(jasur.has_disability)
        self.assertEqual(
            list(jasur.enrolments.values_list("group", flat=True)), ["vulnerable_child"]
        )
        self.assertFalse(people["Gulnora"].person.enrolments.exists())
        page = self.client.get(household.get_absolute_url())
        self.assertContains(page, "The family was registered.")

    def test_it_ignores_blank_and_removed_member_forms(self) -> None:
        self.client.force_login(self.alice)
        data = self.post_data(self.mother(), self.son(DELETE="on"), {})
        self.client.post(URL, data)
        household = Household.objects.get(name="Rahimovlar")
        self.assertEqual(household.memberships.count(), 1)

    def test_it_rejects_an_invalid_pinfl(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data(self.mother(), self.son(pinfl="123")))
        self.assert_nothing_saved(response, "A PINFL has exactly 14 digits.")
        self.assertIn("pinfl", response.context["formset"].forms[1].errors)
        self.assertFalse(response.context["formset"].forms[0].errors)

    def test_it_rejects_a_birth_date_in_the_future(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data(self.mother(birth_date=FUTURE)))
        self.assert_nothing_saved(response, "The date of birth cannot be in the future.")
        self.assertIn("birth_date", response.context["formset"].forms[0].errors)

    def test_it_rejects_a_member_without_a_family_name(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data(self.mother(), self.son(family_name="")))
        self.assert_nothing_saved(response, "This field is required.")
        self.assertIn("family_name", response.context["formset"].forms[1].errors)

    def test_it_rejects_a_mahalla_outside_the_district(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data(self.mother(), district=self.xiva.pk))
        self.assert_nothing_saved(
            response, "This mahalla is not in the district chosen for the household."
        )
        self.assertIn("mahalla", response.context["form"].errors)

    def test_it_rejects_a_household_without_members(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data({}))
        self.assert_nothing_saved(response, "Please submit at least 1 form.")

    def test_it_rejects_both_a_birth_date_and_an_age(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data(self.mother(estimated_age="30")))
        self.assert_nothing_saved(response, "Give either a date of birth or an age, not both.")

    def test_it_says_what_is_wrong_in_the_users_language(self) -> None:
        self.client.force_login(self.alice)
        data = self.post_data(self.mother(family_name=""))
        response = self.client.post(URL, data, HTTP_ACCEPT_LANGUAGE="ru")
        self.assertContains(response, "Обязательное поле.", status_code=422)
        response = self.client.post(URL, data, HTTP_ACCEPT_LANGUAGE="uz")
        self.assertContains(response, "Ushbu maydon to", status_code=422)

    def test_it_puts_the_services_errors_on_the_right_member_and_field(self) -> None:
        self.client.force_login(self.alice)
        error = ValidationError({"members.1.pinfl": ["PINFL taken."], "phone": ["Bad phone."]})
        with mock.patch.object(registry, "household_register", side_effect=error):
            response = self.client.post(URL, self.post_data(self.mother(), self.son()))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.context["formset"].forms[1].errors["pinfl"], ["PINFL taken."])
        self.assertEqual(response.context["form"].errors["phone"], ["Bad phone."])
        problem = ApplicationError("A household needs at least one member.", field="members")
        with mock.patch.object(registry, "household_register", side_effect=problem):
            response = self.client.post(URL, self.post_data(self.mother()))
        self.assertContains(response, "A household needs at least one member.", status_code=422)

    def test_it_places_what_the_real_service_raises(self) -> None:
        data = self.post_data(self.mother(), self.son())
        registration = Registration(data)
        self.assertTrue(registration.is_valid())
        kwargs = registration.service_kwargs()
        kwargs["members"][1]["pinfl"] = "123"  # as if the form had let it through
        with self.assertRaises(ValidationError) as caught:
            registry.household_register(actor=self.alice, **kwargs)
        registration.add_service_errors(caught.exception)
        errors = registration.members.forms[1].errors
        self.assertEqual(errors["pinfl"], ["A PINFL has exactly 14 digits."])
        self.assertFalse(registration.members.forms[0].errors)
        self.assertEqual(Household.objects.count(), 1)

    def test_it_adds_a_member_form_without_javascript(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(URL, {**self.post_data(self.mother()), "add_member": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="members-1-given_name"')
        self.assertContains(response, 'value="Gulnora"')
        self.assertEqual(Household.objects.count(), 1)

    def test_it_adds_a_member_form_with_htmx(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("registry:member-form")
        response = self.client.get(url, {"members-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'name="members-2-family_name"')
        self.assertContains(response, 'value="3" id="id_members-TOTAL_FORMS" hx-swap-oob="true"')
        self.assertEqual(self.client.get(url, {"members-TOTAL_FORMS": "30"}).status_code, 204)

    def test_the_mahalla_list_follows_the_district(self) -> None:
        Mahalla.objects.create(district=self.xiva, name_uz="Ichan qalʼa MFY")
        self.client.force_login(self.alice)
        response = self.client.post(URL, self.post_data({}, district=self.xiva.pk))
        self.assertContains(response, "Ichan qalʼa MFY", status_code=422)
        self.assertNotContains(response, "Navroʻz MFY", status_code=422)
        self.assertContains(response, reverse("registry:mahalla-options"), status_code=422)


class HouseholdEditTests(EnglishPages):
    def url(self) -> str:
        return reverse("registry:household-edit", args=[self.household.pk])

    def test_it_saves_the_changes(self) -> None:
        self.client.force_login(self.bob)
        form = self.client.get(self.url()).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(address="Navroʻz 7", housing="owned", income_sources=["wages"])
        response = self.client.post(self.url(), data)
        self.assertRedirects(response, self.household.get_absolute_url())
        self.household.refresh_from_db()
        self.assertEqual(self.household.address, "Navroʻz 7")
        self.assertEqual(self.household.income_sources, ["wages"])

    def test_it_rejects_a_mahalla_outside_the_district_and_saves_nothing(self) -> None:
        self.client.force_login(self.alice)
        data = {"name": "Karimovlar", "kind": "vulnerable", "district": self.xiva.pk,
                "mahalla": self.mahalla.pk, "address": "New"}  # fmt: skip
        response = self.client.post(self.url(), data)
        self.assertContains(response, "not in the district", status_code=422)
        self.household.refresh_from_db()
        self.assertEqual((self.household.district, self.household.address), (self.urganch, ""))

    def test_it_is_not_found_for_everyone_else(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.get(self.url()).status_code, 404)


class PersonEditTests(EnglishPages):
    def url(self) -> str:
        return reverse("registry:person-edit", args=[self.child.pk])

    def data(self, **extra: Any) -> dict[str, Any]:
        return {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
                "birth_date": "2014-05-20", **extra}  # fmt: skip

    def test_it_saves_the_changes_and_keeps_an_unchanged_pinfl(self) -> None:
        registry.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "31405201234567"}
        )
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url()), "31405201234567")
        response = self.client.post(self.url(), self.data(patronymic="Dilshod qizi"))
        self.assertRedirects(response, self.child.get_absolute_url())
        self.child.refresh_from_db()
        self.assertEqual(
            (self.child.patronymic, self.child.pinfl), ("Dilshod qizi", "31405201234567")
        )

    def test_it_rejects_an_invalid_pinfl_and_saves_nothing(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), self.data(pinfl="123", patronymic="X"))
        self.assertContains(response, "A PINFL has exactly 14 digits.", status_code=422)
        self.child.refresh_from_db()
        self.assertEqual(self.child.patronymic, "")

    def test_it_is_not_found_for_everyone_else(self) -> None:
        for name in OUTSIDERS:
            with self.subTest(user=name):
                self.client.force_login(getattr(self, name))
                self.assertEqual(self.client.post(self.url(), self.data()).status_code, 404)


class RecordPagesTests(EnglishPages):
    """Adding a member, care arrangements, consents and enrolments."""

    def test_it_adds_a_member_to_a_household_and_enrols_them(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("registry:member-add", args=[self.household.pk])
        data = {"given_name": "Malika", "family_name": "Karimova", "sex": "female",
                "estimated_age": "4", "relationship": "child", "group": "vulnerable_child"}  # fmt: skip
        self.assertRedirects(self.client.post(url, data), self.household.get_absolute_url())
        person = Person.objects.get(given_name="Malika")
        self.assertTrue(person.memberships.filter(household=self.household).exists())
        self.assertTrue(person.enrolments.filter(group="vulnerable_child").exists())

    def test_it_records_a_care_arrangement(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("registry:care-new", args=[self.child.pk])
        self.assertContains(self.client.get(url), "Karimovlar")  # a caregiver household to pick
        data = {"type": "foster", "started_on": "2024-03-01"}
        self.assertRedirects(self.client.post(url, data), self.child.get_absolute_url())
        care = CareArrangement.objects.get(person=self.child)
        self.assertEqual(care.next_review_on, dt.date(2024, 6, 1))

    def test_it_shows_the_services_error_on_the_start_date(self) -> None:
        registry.care_arrangement_record(
            actor=self.alice,
            person=self.child,
            data={"type": "parental", "started_on": dt.date(2024, 5, 1)},
        )
        self.client.force_login(self.alice)
        url = reverse("registry:care-new", args=[self.child.pk])
        response = self.client.post(url, {"type": "foster", "started_on": "2024-01-01"})
        self.assertContains(response, "must start after the current one", status_code=422)
        self.assertIn("started_on", response.context["form"].errors)
        self.assertEqual(CareArrangement.objects.count(), 1)

    def test_it_records_and_withdraws_a_consent(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("registry:consent-new", args=[self.child.pk])
        data = {"purpose": "photos", "given_by": "caregiver", "given_on": "2024-01-05"}
        self.assertRedirects(self.client.post(url, data), self.child.get_absolute_url())
        consent = Consent.objects.get(person=self.child)
        withdraw = reverse("registry:consent-withdraw", args=[consent.pk])
        response = self.client.post(withdraw, {"withdrawn_on": "2023-12-31"})
        self.assertContains(response, "cannot be withdrawn before", status_code=422)
        self.assertRedirects(
            self.client.post(withdraw, {"withdrawn_on": "2024-02-01"}),
            self.child.get_absolute_url(),
        )
        consent.refresh_from_db()
        self.assertEqual(consent.withdrawn_on, dt.date(2024, 2, 1))

    def test_it_enrols_a_person_and_changes_the_status(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("registry:person-enrol", args=[self.child.pk])
        response = self.client.post(url, {"group": "vulnerable_child", "enrolled_on": "2024-01-01"})
        self.assertContains(response, "already enrolled in this group", status_code=422)
        self.assertIn("group", response.context["form"].errors)
        enrolment = self.child.enrolments.get()
        status = reverse("registry:enrolment-status", args=[enrolment.pk])
        response = self.client.post(status, {"status": "graduated", "ended_on": "2024-06-30"})
        self.assertRedirects(response, self.child.get_absolute_url())
        enrolment.refresh_from_db()
        self.assertEqual(
            (enrolment.status, enrolment.ended_on), ("graduated", dt.date(2024, 6, 30))
        )

    def test_it_enrols_a_household(self) -> None:
        self.client.force_login(self.bob)
        url = reverse("registry:household-enrol", args=[self.household.pk])
        response = self.client.post(url, {"group": "vulnerable_child", "enrolled_on": "2024-01-01"})
        self.assertRedirects(response, self.household.get_absolute_url())
        self.assertTrue(Enrolment.objects.filter(household=self.household).exists())

    def test_every_page_is_not_found_for_other_users(self) -> None:
        consent = registry.consent_record(
            actor=self.alice,
            person=self.child,
            data={"purpose": "photos", "given_by": "caregiver", "given_on": dt.date(2024, 1, 5)},
        )
        urls = [
            reverse("registry:member-add", args=[self.household.pk]),
            reverse("registry:household-enrol", args=[self.household.pk]),
            reverse("registry:care-new", args=[self.child.pk]),
            reverse("registry:consent-new", args=[self.child.pk]),
            reverse("registry:person-enrol", args=[self.child.pk]),
            reverse("registry:consent-withdraw", args=[consent.pk]),
            reverse("registry:enrolment-status", args=[self.child.enrolments.get().pk]),
        ]
        for name in OUTSIDERS:
            self.client.force_login(getattr(self, name))
            for url in urls:
                with self.subTest(user=name, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    self.assertEqual(self.client.post(url, {}).status_code, 404)
        self.assertEqual(Consent.objects.get().withdrawn_on, None)
