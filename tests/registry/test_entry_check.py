"""The duplicate check at entry on the registration pages, the person edit page and the REST API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from oila.registry import services as registry
from oila.registry.models import Household, Membership, Person
from tests.registry.test_views import EnglishPages

REGISTER = reverse("registry:household-new")


def form_data(district: Any, *members: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Karimovlar",
        "kind": "vulnerable",
        "district": district.pk,
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
    }
    for index, values in enumerate(members):
        data.update({f"members-{index}-{k}": v for k, v in values.items()})
    return data


CHILD_IN_CYRILLIC = {
    "given_name": "Шаҳноза",
    "family_name": "Каримова",
    "sex": "female",
    "birth_date": "2014-05-20",
    "relationship": "child",
}


def choices() -> list[dict[str, Any]]:
    return [e.after for e in AuditEvent.objects.filter(action="dedup.entry_choice").order_by("seq")]


class RegistrationEntryCheckTests(EnglishPages):
    def test_it_shows_the_existing_child_before_saving(self) -> None:
        self.client.force_login(self.alice)
        before = (Household.objects.count(), Person.objects.count())
        response = self.client.post(REGISTER, form_data(self.urganch, CHILD_IN_CYRILLIC))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Possible matches already registered")
        self.assertContains(response, self.child.full_name)
        self.assertContains(response, f'value="link:{self.child.pk}"')
        self.assertContains(
            response, "name matches across scripts, same date of birth, same district"
        )
        self.assertEqual((Household.objects.count(), Person.objects.count()), before)

    def test_it_registers_a_new_person_when_the_user_confirms_and_audits_it(self) -> None:
        self.client.force_login(self.alice)
        data = form_data(self.urganch, CHILD_IN_CYRILLIC)
        data["members-0-entry_choice"] = "new"
        response = self.client.post(REGISTER, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Person.objects.filter(fold_given="shahnoza").count(), 2)
        [choice] = choices()
        self.assertEqual(choice["choice"], "new")
        self.assertEqual(choice["candidates"][0]["id"], str(self.child.pk))

    def test_it_links_the_existing_child_instead_of_creating_one(self) -> None:
        self.client.force_login(self.alice)
        people = Person.objects.count()
        data = form_data(self.urganch, CHILD_IN_CYRILLIC)
        data["members-0-entry_choice"] = f"link:{self.child.pk}"
        response = self.client.post(REGISTER, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Person.objects.count(), people)
        household = Household.objects.exclude(pk=self.household.pk).get()
        self.assertEqual(household.memberships.get().person, self.child)
        [choice] = choices()
        self.assertEqual((choice["choice"], choice["person"]), ("link", str(self.child.pk)))

    def test_it_refuses_to_link_someone_who_was_not_offered(self) -> None:
        other = self.other_team_household().memberships.get().person
        self.client.force_login(self.alice)
        data = form_data(self.urganch, CHILD_IN_CYRILLIC)
        data["members-0-entry_choice"] = f"link:{other.pk}"
        response = self.client.post(REGISTER, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose one of the people below")
        self.assertFalse(
            Membership.objects.filter(person=other, household__caseworker=self.alice).exists()
        )

    def test_it_leaks_nothing_about_a_match_outside_the_users_caseload(self) -> None:
        self.client.force_login(self.carol)
        response = self.client.post(REGISTER, form_data(self.xiva, CHILD_IN_CYRILLIC))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A possible match exists outside your caseload")
        self.assertNotContains(response, str(self.child.pk))
        self.assertNotContains(response, "Karimova")
        self.assertNotContains(response, "20/05/2014")

    def test_it_asks_nothing_when_nobody_matches(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            REGISTER,
            form_data(
                self.urganch,
                {**CHILD_IN_CYRILLIC, "given_name": "Малика", "family_name": "Юсупова"},
            ),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(choices(), [])


class MemberAddEntryCheckTests(EnglishPages):
    def test_it_offers_the_existing_person_and_links_them(self) -> None:
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Yusupovlar", "district": self.urganch},
            members=[
                {"given_name": "Malika", "family_name": "Yusupova", "sex": "female",
                 "relationship": "head"}
            ],
        )  # fmt: skip
        url = reverse("registry:member-add", args=[household.pk])
        self.client.force_login(self.alice)
        data = {k: v for k, v in CHILD_IN_CYRILLIC.items()}
        data["relationship"] = "foster_child"
        response = self.client.post(url, data)
        self.assertContains(response, f'value="link:{self.child.pk}"')
        self.assertEqual(household.memberships.count(), 1)
        response = self.client.post(url, {**data, "entry_choice": f"link:{self.child.pk}"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            household.memberships.filter(person=self.child, relationship="foster_child").exists()
        )
        self.assertEqual(choices()[-1]["choice"], "link")


class PersonEditEntryCheckTests(EnglishPages):
    def test_it_asks_before_an_edit_makes_two_records_alike_and_reports_the_same_person(
        self,
    ) -> None:
        other = registry.person_create(
            actor=self.alice,
            data={"given_name": "Nilufar", "family_name": "Karimova", "sex": "female",
                  "birth_date": dt.date(2014, 5, 20)},
            household=self.household,
        )  # fmt: skip
        url = reverse("registry:person-edit", args=[other.pk])
        self.client.force_login(self.alice)
        data = {"given_name": "Шахноза", "family_name": "Karimova", "sex": "female",
                "birth_date": "2014-05-20"}  # fmt: skip
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'value="same:{self.child.pk}"')
        other.refresh_from_db()
        self.assertEqual(other.given_name, "Nilufar")
        response = self.client.post(url, {**data, "entry_choice": f"same:{self.child.pk}"})
        self.assertEqual(response.status_code, 302)
        other.refresh_from_db()
        self.assertEqual(other.given_name, "Шахноза")
        self.assertEqual(choices()[-1]["choice"], "same")

    def test_it_does_not_ask_again_for_an_edit_of_the_phone_number(self) -> None:
        url = reverse("registry:person-edit", args=[self.child.pk])
        self.client.force_login(self.alice)
        data = {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female",
                "birth_date": "2014-05-20", "phone": "+998 90 123 45 67"}  # fmt: skip
        self.assertEqual(self.client.post(url, data).status_code, 302)

    def test_it_redirects_the_page_of_a_merged_person_to_the_survivor(self) -> None:
        survivor = registry.person_create(
            actor=self.alice, data={"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female"},
            household=self.household,
        )  # fmt: skip
        Person.objects.filter(pk=self.child.pk).update(merged_into=survivor)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("registry:person", args=[self.child.pk]))
        self.assertRedirects(response, reverse("registry:person", args=[survivor.pk]))
        self.assertNotIn(self.child.pk, [p.pk for p in self._people(self.alice)])

    def _people(self, user: Any) -> list[Person]:
        from oila.registry.selectors import person_list

        return list(person_list(user=user))


class ApiEntryCheckTests(EnglishPages):
    client_class = APIClient

    def member(self, **extra: Any) -> dict[str, Any]:
        return {"given_name": "Shaxnoza", "family_name": "KARIMOVA", "sex": "female",
                "birth_date": "2014-05-20", **extra}  # fmt: skip

    def test_it_answers_409_with_the_candidates_then_creates_on_confirm_new(self) -> None:
        self.client.force_login(self.alice)
        body = {**self.member(), "household": str(self.household.pk), "relationship": "child"}
        response = self.client.post("/api/v1/people/", body, format="json")
        self.assertEqual(response.status_code, 409)
        [candidate] = response.json()["candidates"]
        self.assertEqual(candidate["id"], str(self.child.pk))
        self.assertIn("same date of birth", candidate["reasons"])
        self.assertEqual(candidate["district"], "1733217")
        response = self.client.post("/api/v1/people/", {**body, "confirm_new": True}, format="json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(choices()[-1]["choice"], "new")

    def test_it_links_the_existing_person_with_link_to(self) -> None:
        household = registry.household_register(
            actor=self.alice,
            data={"name": "Yusupovlar", "district": self.urganch},
            members=[
                {"given_name": "Malika", "family_name": "Yusupova", "sex": "female",
                 "relationship": "head"}
            ],
        )  # fmt: skip
        self.client.force_login(self.alice)
        people = Person.objects.count()
        body = {**self.member(), "household": str(household.pk), "relationship": "foster_child",
                "link_to": str(self.child.pk)}  # fmt: skip
        response = self.client.post("/api/v1/people/", body, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["id"], str(self.child.pk))
        self.assertEqual(Person.objects.count(), people)
        self.assertTrue(household.memberships.filter(person=self.child).exists())

    def test_it_keys_a_households_candidates_by_member(self) -> None:
        self.client.force_login(self.alice)
        body = {"name": "Karimovlar", "district": "1733217",
                "members": [{"given_name": "Gulnora", "family_name": "Rahimova", "sex": "female",
                             "relationship": "head"},
                            {**self.member(), "relationship": "child"}]}  # fmt: skip
        response = self.client.post("/api/v1/households/", body, format="json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(list(response.json()["candidates"]), ["1"])
        body["members"][1]["link_to"] = str(self.child.pk)
        response = self.client.post("/api/v1/households/", body, format="json")
        self.assertEqual(response.status_code, 201)
        self.assertIn(str(self.child.pk), [m["id"] for m in response.json()["members"]])

    def test_it_shows_only_that_a_match_exists_outside_the_scope(self) -> None:
        self.client.force_login(self.carol)
        household = self.other_team_household()
        body = {**self.member(), "household": str(household.pk), "relationship": "child"}
        response = self.client.post("/api/v1/people/", body, format="json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["candidates"], [{"outside_scope": True}])
        self.assertNotIn(str(self.child.pk), response.content.decode())

    def test_it_checks_an_update_that_changes_who_the_person_is(self) -> None:
        other = registry.person_create(
            actor=self.alice,
            data={"given_name": "Nilufar", "family_name": "Karimova", "sex": "female",
                  "birth_date": dt.date(2014, 5, 20)},
            household=self.household,
        )  # fmt: skip
        self.client.force_login(self.alice)
        url = f"/api/v1/people/{other.pk}/"
        response = self.client.patch(url, {"given_name": "Шаҳноза"}, format="json")
        self.assertEqual(response.status_code, 409)
        response = self.client.patch(
            url, {"given_name": "Шаҳноза", "confirm_new": True}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.client.patch(url, {"phone": "+998901234567"}, format="json").status_code, 200
        )


class BadInputTests(EnglishPages):
    def test_it_refuses_a_date_that_does_not_exist_or_a_name_it_cannot_read(self) -> None:
        self.client.force_login(self.alice)
        people = Person.objects.count()
        for values, field, message in (
            ({"birth_date": "2014-02-30"}, "members-0-birth_date", "Enter a valid date."),
            ({"given_name": "محمد"}, "members-0-given_name", "Write the name in Latin or Cyrillic"),
            ({"family_name": "123"}, "members-0-family_name", "A name needs letters."),
        ):
            with self.subTest(field=field):
                response = self.client.post(
                    REGISTER, form_data(self.urganch, {**CHILD_IN_CYRILLIC, **values})
                )
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, message, status_code=422)
        self.assertEqual(Person.objects.count(), people)

    def test_it_accepts_a_name_typed_in_mixed_scripts_and_still_finds_the_match(self) -> None:
        self.client.force_login(self.alice)
        mixed = {**CHILD_IN_CYRILLIC, "given_name": "Шахnoza"}
        response = self.client.post(REGISTER, form_data(self.urganch, mixed))
        self.assertContains(response, f'value="link:{self.child.pk}"')

    def test_the_api_refuses_a_date_that_does_not_exist(self) -> None:
        api = APIClient()
        api.force_login(self.alice)
        body = {"given_name": "Malika", "family_name": "Yusupova", "sex": "female",
                "birth_date": "2014-02-30", "household": str(self.household.pk),
                "relationship": "child"}  # fmt: skip
        response = api.post("/api/v1/people/", body, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("birth_date", response.json())
