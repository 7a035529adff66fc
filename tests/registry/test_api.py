"""REST API v1 for households and people: who may and who may not, bad input, audit, query counts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.geo.models import Mahalla
from oila.registry import services as registry
from oila.registry.models import Enrolment, Household, Membership, Person
from tests.base import OilaTestCase

HOUSEHOLDS = "/api/v1/households/"
PEOPLE = "/api/v1/people/"
PINFL = "31234567890123"


class ApiTestCase(OilaTestCase):
    client_class = APIClient

    def login(self, user: Any) -> None:
        """Session authentication, as the web application's own pages would use it."""
        self.client.force_login(user)

    def use_token(self, user: Any) -> None:
        token = Token.objects.create(user=user)
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def household_url(self, household: Household) -> str:
        return f"{HOUSEHOLDS}{household.pk}/"

    def person_url(self, person: Person) -> str:
        return f"{PEOPLE}{person.pk}/"

    def counts(self) -> dict[str, int]:
        return {
            "households": Household.objects.count(),
            "people": Person.objects.count(),
            "memberships": Membership.objects.count(),
            "enrolments": Enrolment.objects.count(),
            "audit events": AuditEvent.objects.count(),
        }

    def reads(self) -> int:
        return AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).count()

    def ids(self, response: Any) -> set[str]:
        return {row["id"] for row in response.json()["results"]}

    def register(self, actor: Any, name: str, **data: Any) -> Household:
        members = data.pop(
            "members",
            [
                {
                    "given_name": "Bahodir",
                    "family_name": name[:-3],
                    "sex": "male",
                    "relationship": "head",
                },
                {
                    "given_name": "Malika",
                    "family_name": name[:-3],
                    "sex": "female",
                    "relationship": "child",
                    "birth_date": dt.date(2016, 1, 2),
                    "group": "vulnerable_child",
                },
            ],
        )
        return registry.household_register(
            actor=actor, data={"name": name, "district": self.urganch, **data}, members=members
        )


def new_household(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Rahimovlar",
        "district": "1733217",
        "address": "Al-Xorazmiy ko'chasi 5",
        "income_sources": ["wages", "remittances"],
        "monthly_income_uzs": 2_500_000,
        "housing": "rented",
        "members": [
            {
                "given_name": "Rustam",
                "family_name": "Rahimov",
                "sex": "male",
                "birth_date": "1980-04-12",
                "relationship": "head",
                "pinfl": PINFL,
            },
            {
                "given_name": "Zarina",
                "family_name": "Rahimova",
                "sex": "female",
                "estimated_age": 9,
                "relationship": "child",
                "group": "vulnerable_child",
                "wg_seeing": 3,
            },
        ],
    }
    body.update(overrides)
    return body


def new_person(household: Household, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "household": str(household.pk),
        "relationship": "child",
        "given_name": "Jasur",
        "family_name": "Karimov",
        "sex": "male",
        "birth_date": "2019-09-01",
        "pinfl": PINFL,
    }
    body.update(overrides)
    return body


# --- households: list --------------------------------------------------------------------------


class HouseholdListTests(ApiTestCase):
    def test_it_lists_the_household_for_its_caseworker_supervisor_and_manager(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(HOUSEHOLDS)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.ids(response), {str(self.household.pk)})
                row = response.json()["results"][0]
                self.assertEqual(row["name"], "Karimovlar")
                self.assertEqual(row["district"]["soato"], "1733217")
                self.assertEqual(row["mahalla"]["id"], str(self.mahalla.pk))
                self.assertEqual(row["member_count"], 2)

    def test_it_hides_other_teams_households(self) -> None:
        theirs = self.other_team_household()
        self.login(self.carol)
        response = self.client.get(HOUSEHOLDS)
        self.assertEqual(self.ids(response), {str(theirs.pk)})
        self.login(self.alice)
        self.assertEqual(self.ids(self.client.get(HOUSEHOLDS)), {str(self.household.pk)})

    def test_it_gives_roles_without_case_access_an_empty_list(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(HOUSEHOLDS)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["count"], 0)
                self.assertEqual(response.json()["results"], [])

    def test_it_requires_authentication(self) -> None:
        response = self.client.get(HOUSEHOLDS)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Token")
        self.client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        self.assertEqual(self.client.get(HOUSEHOLDS).status_code, 401)

    def test_it_lists_with_token_authentication(self) -> None:
        self.use_token(self.bob)
        response = self.client.get(HOUSEHOLDS)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.ids(response), {str(self.household.pk)})

    def test_it_shows_summaries_without_personal_details(self) -> None:
        self.login(self.alice)
        row = self.client.get(HOUSEHOLDS).json()["results"][0]
        self.assertNotIn("members", row)
        self.assertNotIn("economic_notes", row)

    def test_it_audits_no_read_for_a_list(self) -> None:
        self.login(self.alice)
        before = self.reads()
        self.client.get(HOUSEHOLDS)
        self.assertEqual(self.reads(), before)

    def test_it_filters_by_district_soato_code_or_id(self) -> None:
        xiva_household = self.register(self.alice, "Sobirovlar", district=self.xiva)
        self.login(self.alice)
        by_code = self.client.get(HOUSEHOLDS, {"district": "1733226"})
        self.assertEqual(self.ids(by_code), {str(xiva_household.pk)})
        by_id = self.client.get(HOUSEHOLDS, {"district": str(self.urganch.pk)})
        self.assertEqual(self.ids(by_id), {str(self.household.pk)})

    def test_it_rejects_an_unknown_district(self) -> None:
        self.login(self.alice)
        response = self.client.get(HOUSEHOLDS, {"district": "9999999"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("district", response.json())

    def test_it_rejects_a_district_with_a_nul_character(self) -> None:
        self.login(self.alice)
        response = self.client.get(HOUSEHOLDS, {"district": "1733217\x00"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("district", response.json())

    def test_it_ignores_empty_filters(self) -> None:
        self.login(self.alice)
        empty = {"q": "", "district": "", "mahalla": "", "group": "", "status": ""}
        response = self.client.get(HOUSEHOLDS, empty)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.ids(response), {str(self.household.pk)})

    def test_it_filters_by_mahalla(self) -> None:
        other = self.register(self.alice, "Sobirovlar")
        self.login(self.alice)
        response = self.client.get(HOUSEHOLDS, {"mahalla": str(self.mahalla.pk)})
        self.assertEqual(self.ids(response), {str(self.household.pk)})
        self.assertNotIn(str(other.pk), self.ids(response))

    def test_it_searches_names_of_the_family_and_its_members_in_either_script(self) -> None:
        self.register(self.alice, "Sobirovlar")
        self.login(self.alice)
        for q in ("karimov", "Шаҳноза", "shahnoza karimova"):
            with self.subTest(q=q):
                response = self.client.get(HOUSEHOLDS, {"q": q})
                self.assertEqual(self.ids(response), {str(self.household.pk)})

    def test_it_filters_by_enrolment_group_and_status(self) -> None:
        youth = self.register(
            self.alice,
            "Sobirovlar",
            members=[
                {"given_name": "Aziz", "family_name": "Sobirov", "sex": "male", "group": "youth"}
            ],
        )
        self.login(self.alice)
        self.assertEqual(self.ids(self.client.get(HOUSEHOLDS, {"group": "youth"})), {str(youth.pk)})
        self.assertEqual(
            self.ids(
                self.client.get(HOUSEHOLDS, {"group": "vulnerable_child", "status": "active"})
            ),
            {str(self.household.pk)},
        )
        self.assertEqual(self.ids(self.client.get(HOUSEHOLDS, {"status": "graduated"})), set())
        self.assertEqual(self.client.get(HOUSEHOLDS, {"group": "nonsense"}).status_code, 400)

    def test_it_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(self) -> None:
        self.login(self.alice)
        # session, user/team/programme (visibility rule), count, page
        with self.assertNumQueries(4):
            self.assertEqual(self.client.get(HOUSEHOLDS).json()["count"], 1)
        for n in range(5):
            self.register(self.alice, f"Qodirovlar{n}")
        with self.assertNumQueries(4):
            self.assertEqual(self.client.get(HOUSEHOLDS).json()["count"], 6)

    def test_it_runs_a_fixed_number_of_queries_with_a_token(self) -> None:
        self.use_token(self.frank)
        with self.assertNumQueries(3):  # token with its user, count, page
            self.assertEqual(self.client.get(HOUSEHOLDS).json()["count"], 1)
        for n in range(5):
            self.register(self.alice, f"Qodirovlar{n}")
        with self.assertNumQueries(3):
            self.assertEqual(self.client.get(HOUSEHOLDS).json()["count"], 6)


# --- households: detail ------------------------------------------------------------------------


class HouseholdDetailTests(ApiTestCase):
    def test_it_shows_the_household_to_its_caseworker_supervisor_and_manager(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.household_url(self.household))
                self.assertEqual(response.status_code, 200)
                body = response.json()
                self.assertEqual(body["name"], "Karimovlar")
                self.assertEqual(body["district"]["soato"], "1733217")
                self.assertEqual(body["district"]["name_uz"], self.urganch.name_uz)
                self.assertEqual(body["mahalla"]["name_uz"], "Navroʻz MFY")
                members = {m["id"]: m for m in body["members"]}
                self.assertEqual(members[str(self.child.pk)]["relationship"], "child")
                self.assertEqual(members[str(self.child.pk)]["name"], "Shahnoza Karimova")
                self.assertEqual(
                    [(e["group"], e["person"]) for e in body["enrolments"]],
                    [("vulnerable_child", str(self.child.pk))],
                )

    def test_it_answers_404_to_everyone_else(self) -> None:
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.household_url(self.household))
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Karimov", response.content.decode())

    def test_it_answers_404_for_an_unknown_id(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.get(f"{HOUSEHOLDS}{uuid.uuid4()}/").status_code, 404)

    def test_it_requires_authentication(self) -> None:
        self.assertEqual(self.client.get(self.household_url(self.household)).status_code, 401)

    def test_it_shows_the_household_with_token_authentication(self) -> None:
        self.use_token(self.alice)
        response = self.client.get(self.household_url(self.household))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["id"], str(self.household.pk))

    def test_it_writes_exactly_one_read_audit_event(self) -> None:
        self.login(self.bob)
        before = self.reads()
        self.client.get(self.household_url(self.household))
        self.assertEqual(self.reads(), before + 1)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(
            (event.kind, event.action, event.target_id, event.actor_id),
            ("read", "household.view", str(self.household.pk), self.bob.pk),
        )

    def test_it_audits_no_read_when_it_answers_404(self) -> None:
        self.login(self.carol)
        before = self.reads()
        self.client.get(self.household_url(self.household))
        self.assertEqual(self.reads(), before)


# --- households: create ------------------------------------------------------------------------


class HouseholdCreateTests(ApiTestCase):
    def test_it_registers_a_household_with_its_members(self) -> None:
        self.login(self.alice)
        response = self.client.post(HOUSEHOLDS, new_household(), format="json")
        self.assertEqual(response.status_code, 201, response.json())
        body = response.json()
        household = Household.objects.get(pk=body["id"])
        self.assertEqual(response["Location"], self.household_url(household))
        self.assertEqual(household.caseworker, self.alice)
        self.assertEqual(household.district, self.urganch)
        self.assertEqual(household.income_sources, ["wages", "remittances"])
        self.assertEqual(
            sorted((m["name"], m["relationship"]) for m in body["members"]),
            [("Rustam Rahimov", "head"), ("Zarina Rahimova", "child")],
        )
        zarina = Person.objects.get(given_name="Zarina")
        self.assertTrue(zarina.birth_date_estimated)
        self.assertTrue(zarina.has_disability)
        self.assertEqual(Person.objects.get(given_name="Rustam").pinfl, PINFL)
        self.assertEqual(
            [(e["group"], e["person"]) for e in body["enrolments"]],
            [("vulnerable_child", str(zarina.pk))],
        )
        self.assertNotIn(PINFL, response.content.decode())
        self.assertTrue(
            AuditEvent.objects.filter(action="household.register", target_id=body["id"]).exists()
        )

    def test_it_registers_with_token_authentication_and_a_district_id(self) -> None:
        self.use_token(self.bob)
        body = new_household(district=str(self.xiva.pk))
        response = self.client.post(HOUSEHOLDS, body, format="json")
        self.assertEqual(response.status_code, 201, response.json())
        household = Household.objects.get(pk=response.json()["id"])
        self.assertEqual((household.district, household.team), (self.xiva, self.team_a))

    def test_it_lets_a_manager_register_in_their_programme(self) -> None:
        self.login(self.frank)
        response = self.client.post(
            HOUSEHOLDS, new_household(programme=str(self.programme.pk)), format="json"
        )
        self.assertEqual(response.status_code, 201, response.json())
        self.assertEqual(response.json()["programme"], str(self.programme.pk))

    def test_it_refuses_roles_that_do_not_register(self) -> None:
        before = self.counts()
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.post(HOUSEHOLDS, new_household(), format="json")
                self.assertEqual(response.status_code, 403)
        self.assertEqual(self.counts(), before)

    def test_it_requires_authentication(self) -> None:
        before = self.counts()
        self.assertEqual(
            self.client.post(HOUSEHOLDS, new_household(), format="json").status_code, 401
        )
        self.assertEqual(self.counts(), before)

    def test_it_requires_a_csrf_token_with_session_authentication(self) -> None:
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(self.alice)
        before = self.counts()
        self.assertEqual(client.post(HOUSEHOLDS, new_household(), format="json").status_code, 403)
        self.assertEqual(self.counts(), before)

    def assert_rejected(self, body: dict[str, Any], *path: str) -> dict[str, Any]:
        """The request answers 400 with an error at `path` and leaves every table as it was."""
        self.login(self.alice)
        before = self.counts()
        response = self.client.post(HOUSEHOLDS, body, format="json")
        self.assertEqual(response.status_code, 400, response.content)
        errors = response.json()
        node: Any = errors
        for key in path:
            self.assertIn(key, node, errors)
            node = node[key]
        self.assertIsInstance(node, list)
        self.assertTrue(all(isinstance(message, str) for message in node))
        self.assertEqual(self.counts(), before)
        return errors

    def test_it_rejects_an_invalid_pinfl(self) -> None:
        body = new_household()
        body["members"][0]["pinfl"] = "1234"
        self.assert_rejected(body, "members", "0", "pinfl")

    def test_it_rejects_a_birth_date_in_the_future(self) -> None:
        body = new_household()
        body["members"][1]["birth_date"] = (today() + dt.timedelta(days=1)).isoformat()
        errors = self.assert_rejected(body, "members", "1", "birth_date")
        self.assertNotIn("0", errors["members"])

    def test_it_rejects_a_birth_date_too_far_in_the_past(self) -> None:
        body = new_household()
        body["members"][0]["birth_date"] = "1850-01-01"
        self.assert_rejected(body, "members", "0", "birth_date")

    def test_it_rejects_a_missing_required_field(self) -> None:
        body = new_household()
        del body["name"]
        self.assert_rejected(body, "name")
        body = new_household()
        del body["members"][1]["sex"]
        self.assert_rejected(body, "members", "1", "sex")

    def test_it_rejects_a_household_without_members(self) -> None:
        self.assert_rejected(new_household(members=[]), "members", "non_field_errors")

    def test_it_rejects_a_mahalla_of_another_district(self) -> None:
        xiva_mahalla = Mahalla.objects.create(district=self.xiva, name_uz="Ichan qalʼa MFY")
        self.assert_rejected(new_household(mahalla=str(xiva_mahalla.pk)), "mahalla")

    def test_it_rejects_an_unknown_district(self) -> None:
        self.assert_rejected(new_household(district="1733999"), "district")

    def test_it_rejects_a_programme_the_user_does_not_work_on(self) -> None:
        self.assert_rejected(new_household(programme=str(uuid.uuid4())), "programme")

    def test_it_accepts_only_json(self) -> None:
        self.login(self.alice)
        before = self.counts()
        response = self.client.post(HOUSEHOLDS, {"name": "Rahimovlar", "district": "1733217"})
        self.assertEqual(response.status_code, 415)
        self.assertEqual(self.counts(), before)


# --- households: update ------------------------------------------------------------------------


class HouseholdUpdateTests(ApiTestCase):
    def test_it_changes_some_fields_with_patch(self) -> None:
        self.login(self.alice)
        response = self.client.patch(
            self.household_url(self.household),
            {"address": "Navroʻz 12", "state_benefits": ["child_allowance"]},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.json())
        self.assertEqual(response.json()["address"], "Navroʻz 12")
        self.household.refresh_from_db()
        self.assertEqual(self.household.address, "Navroʻz 12")
        self.assertEqual(self.household.state_benefits, ["child_allowance"])
        self.assertEqual(self.household.mahalla, self.mahalla)  # untouched
        event = AuditEvent.objects.latest("seq")
        self.assertEqual((event.kind, event.action), ("write", "household.update"))

    def test_it_replaces_the_details_with_put_using_a_token(self) -> None:
        self.use_token(self.bob)
        response = self.client.put(
            self.household_url(self.household),
            {"name": "Karimovlar", "district": "1733217", "housing": "owned", "adults_employed": 2},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.json())
        self.household.refresh_from_db()
        self.assertEqual((self.household.housing, self.household.adults_employed), ("owned", 2))
        self.assertIsNone(self.household.mahalla)  # omitted on PUT, so reset
        self.assertEqual(len(response.json()["members"]), 2)

    def test_it_writes_no_read_audit_event(self) -> None:
        self.login(self.alice)
        before = self.reads()
        self.client.patch(
            self.household_url(self.household), {"phone": "+998 90 1234567"}, format="json"
        )
        self.assertEqual(self.reads(), before)

    def test_it_answers_404_to_everyone_else(self) -> None:
        before = self.counts()
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                url = self.household_url(self.household)
                self.assertEqual(
                    self.client.patch(url, {"address": "x"}, format="json").status_code, 404
                )
                self.assertEqual(
                    self.client.put(url, {"name": "x"}, format="json").status_code, 404
                )
        self.household.refresh_from_db()
        self.assertEqual(self.household.address, "")
        self.assertEqual(self.counts(), before)

    def test_it_answers_404_for_an_unknown_id(self) -> None:
        self.login(self.alice)
        response = self.client.patch(
            f"{HOUSEHOLDS}{uuid.uuid4()}/", {"address": "x"}, format="json"
        )
        self.assertEqual(response.status_code, 404)

    def test_it_rejects_a_mahalla_of_another_district(self) -> None:
        xiva_mahalla = Mahalla.objects.create(district=self.xiva, name_uz="Ichan qalʼa MFY")
        self.login(self.alice)
        before = self.counts()
        response = self.client.patch(
            self.household_url(self.household), {"mahalla": str(xiva_mahalla.pk)}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("mahalla", response.json())
        self.household.refresh_from_db()
        self.assertEqual(self.household.mahalla, self.mahalla)
        self.assertEqual(self.counts(), before)

    def test_it_rejects_a_put_without_required_fields(self) -> None:
        self.login(self.alice)
        response = self.client.put(
            self.household_url(self.household), {"address": "x"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()), {"name", "district"})
        self.household.refresh_from_db()
        self.assertEqual(self.household.address, "")


# --- people: list ------------------------------------------------------------------------------


class PersonListTests(ApiTestCase):
    def people_of_household(self) -> set[str]:
        return {str(m.person_id) for m in self.household.memberships.all()}

    def test_it_lists_the_people_for_their_caseworker_supervisor_and_manager(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(PEOPLE)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.ids(response), self.people_of_household())

    def test_it_hides_people_from_everyone_else(self) -> None:
        theirs = self.other_team_household()
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                ids = self.ids(self.client.get(PEOPLE))
                self.assertFalse(ids & self.people_of_household())
                expected = {str(m.person_id) for m in theirs.memberships.all()}
                self.assertEqual(ids, expected if user == self.carol else set())

    def test_it_requires_authentication(self) -> None:
        self.assertEqual(self.client.get(PEOPLE).status_code, 401)

    def test_it_lists_with_token_authentication(self) -> None:
        self.use_token(self.alice)
        self.assertEqual(self.ids(self.client.get(PEOPLE)), self.people_of_household())

    def test_it_searches_by_name_in_either_script(self) -> None:
        self.login(self.alice)
        for q in ("shahnoza", "Шаҳноза Каримова"):
            with self.subTest(q=q):
                self.assertEqual(self.ids(self.client.get(PEOPLE, {"q": q})), {str(self.child.pk)})

    def test_it_finds_a_person_by_exact_pinfl(self) -> None:
        registry.person_update(actor=self.alice, person=self.child, data={"pinfl": PINFL})
        self.login(self.alice)
        self.assertEqual(self.ids(self.client.get(PEOPLE, {"pinfl": PINFL})), {str(self.child.pk)})
        self.assertEqual(self.ids(self.client.get(PEOPLE, {"pinfl": "31234567890124"})), set())
        self.assertEqual(self.client.get(PEOPLE, {"pinfl": "3123"}).status_code, 400)

    def test_it_shows_summaries_without_identifiers_or_disability(self) -> None:
        self.login(self.alice)
        row = self.client.get(PEOPLE).json()["results"][0]
        for field in ("pinfl", "pinfl_masked", "has_disability", "wg_seeing", "memberships"):
            self.assertNotIn(field, row)

    def test_it_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(self) -> None:
        self.login(self.bob)
        with self.assertNumQueries(4):  # session, user, count, page
            self.assertEqual(self.client.get(PEOPLE).json()["count"], 2)
        for n in range(5):
            self.register(self.alice, f"Qodirovlar{n}")
        with self.assertNumQueries(4):
            self.assertEqual(self.client.get(PEOPLE).json()["count"], 12)


# --- people: detail ----------------------------------------------------------------------------


class PersonDetailTests(ApiTestCase):
    def test_it_shows_the_person_to_their_caseworker_supervisor_and_manager(self) -> None:
        for user in (self.alice, self.bob, self.frank):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.person_url(self.child))
                self.assertEqual(response.status_code, 200)
                body = response.json()
                self.assertEqual(
                    (body["given_name"], body["family_name"], body["sex"], body["birth_date"]),
                    ("Shahnoza", "Karimova", "female", "2014-05-20"),
                )
                self.assertEqual(body["name_script"], "latn")
                self.assertEqual(
                    [(m["household"]["id"], m["relationship"]) for m in body["memberships"]],
                    [(str(self.household.pk), "child")],
                )
                self.assertEqual([e["group"] for e in body["enrolments"]], ["vulnerable_child"])

    def test_it_masks_the_pinfl_and_shows_washington_group_answers(self) -> None:
        registry.person_update(
            actor=self.alice, person=self.child, data={"pinfl": PINFL, "wg_walking": 4}
        )
        self.login(self.alice)
        response = self.client.get(self.person_url(self.child))
        body = response.json()
        self.assertEqual(body["pinfl_masked"], "**********0123")
        self.assertNotIn("pinfl", body)
        self.assertNotIn(PINFL, response.content.decode())
        self.assertEqual((body["wg_walking"], body["has_disability"]), (4, True))

    def test_it_answers_404_to_everyone_else(self) -> None:
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.person_url(self.child)).status_code, 404)

    def test_it_answers_404_for_an_unknown_id(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.get(f"{PEOPLE}{uuid.uuid4()}/").status_code, 404)

    def test_it_requires_authentication(self) -> None:
        self.assertEqual(self.client.get(self.person_url(self.child)).status_code, 401)

    def test_it_writes_exactly_one_read_audit_event_with_a_token(self) -> None:
        self.use_token(self.alice)
        before = self.reads()
        self.assertEqual(self.client.get(self.person_url(self.child)).status_code, 200)
        self.assertEqual(self.reads(), before + 1)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(
            (event.kind, event.action, event.target_id, event.actor_id),
            ("read", "person.view", str(self.child.pk), self.alice.pk),
        )


# --- people: create ----------------------------------------------------------------------------


class PersonCreateTests(ApiTestCase):
    def test_it_registers_a_person_in_a_household(self) -> None:
        self.login(self.alice)
        response = self.client.post(PEOPLE, new_person(self.household), format="json")
        self.assertEqual(response.status_code, 201, response.json())
        body = response.json()
        person = Person.objects.get(pk=body["id"])
        self.assertEqual(response["Location"], self.person_url(person))
        self.assertEqual((person.caseworker, person.team), (self.alice, self.team_a))
        self.assertEqual(person.pinfl, PINFL)
        self.assertEqual(body["pinfl_masked"], "**********0123")
        self.assertNotIn(PINFL, response.content.decode())
        self.assertEqual(
            [(m["household"]["id"], m["relationship"]) for m in body["memberships"]],
            [(str(self.household.pk), "child")],
        )

    def test_it_registers_with_token_authentication(self) -> None:
        self.use_token(self.bob)
        response = self.client.post(
            PEOPLE, new_person(self.household, relationship="spouse", pinfl=""), format="json"
        )
        self.assertEqual(response.status_code, 201, response.json())
        self.assertIsNone(response.json()["pinfl_masked"])

    def test_it_refuses_roles_that_do_not_register(self) -> None:
        before = self.counts()
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.post(PEOPLE, new_person(self.household), format="json")
                self.assertEqual(response.status_code, 403)
        self.assertEqual(self.counts(), before)

    def test_it_requires_authentication(self) -> None:
        response = self.client.post(PEOPLE, new_person(self.household), format="json")
        self.assertEqual(response.status_code, 401)

    def assert_rejected(self, user: Any, body: dict[str, Any], field: str) -> None:
        self.login(user)
        before = self.counts()
        response = self.client.post(PEOPLE, body, format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(field, response.json())
        self.assertEqual(self.counts(), before)

    def test_it_gives_the_same_answer_for_a_household_out_of_scope_and_one_that_does_not_exist(
        self,
    ) -> None:
        self.assert_rejected(self.carol, new_person(self.household), "household")
        unknown = Household(pk=uuid.uuid4())
        self.assert_rejected(self.alice, new_person(unknown), "household")
        self.login(self.carol)
        out_of_scope = self.client.post(PEOPLE, new_person(self.household), format="json").json()
        self.login(self.alice)
        missing = self.client.post(PEOPLE, new_person(unknown), format="json").json()
        self.assertEqual(out_of_scope, missing)

    def test_it_rejects_an_invalid_pinfl(self) -> None:
        self.assert_rejected(
            self.alice, new_person(self.household, pinfl="12345abc901234"), "pinfl"
        )

    def test_it_rejects_a_birth_date_in_the_future(self) -> None:
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        self.assert_rejected(
            self.alice, new_person(self.household, birth_date=tomorrow), "birth_date"
        )

    def test_it_rejects_missing_required_fields(self) -> None:
        for field in ("household", "relationship", "given_name", "sex"):
            with self.subTest(field=field):
                body = new_person(self.household)
                del body[field]
                self.assert_rejected(self.alice, body, field)


# --- people: update ----------------------------------------------------------------------------


class PersonUpdateTests(ApiTestCase):
    def test_it_changes_some_fields_with_patch(self) -> None:
        self.login(self.alice)
        response = self.client.patch(
            self.person_url(self.child),
            {"patronymic": "Dilshodovna", "pinfl": PINFL},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.json())
        body = response.json()
        self.assertEqual(body["full_name"], "Shahnoza Karimova Dilshodovna")
        self.assertEqual(body["pinfl_masked"], "**********0123")
        self.child.refresh_from_db()
        self.assertEqual((self.child.patronymic, self.child.pinfl), ("Dilshodovna", PINFL))
        self.assertEqual(self.child.birth_date, dt.date(2014, 5, 20))  # untouched
        event = AuditEvent.objects.latest("seq")
        self.assertEqual((event.kind, event.action), ("write", "person.update"))
        self.assertNotIn(PINFL, str(event.after))

    def test_it_keeps_the_pinfl_when_a_put_leaves_it_out(self) -> None:
        registry.person_update(actor=self.alice, person=self.child, data={"pinfl": PINFL})
        self.use_token(self.bob)
        response = self.client.put(
            self.person_url(self.child),
            {"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female", "wg_seeing": 2},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.json())
        self.child.refresh_from_db()
        self.assertEqual((self.child.pinfl, self.child.wg_seeing), (PINFL, 2))
        self.assertIsNone(self.child.birth_date)  # omitted on PUT, so reset

    def test_it_answers_404_to_everyone_else(self) -> None:
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.patch(
                    self.person_url(self.child), {"given_name": "X"}, format="json"
                )
                self.assertEqual(response.status_code, 404)
        self.child.refresh_from_db()
        self.assertEqual(self.child.given_name, "Shahnoza")

    def test_it_answers_404_for_an_unknown_id(self) -> None:
        self.login(self.alice)
        response = self.client.patch(f"{PEOPLE}{uuid.uuid4()}/", {"given_name": "X"}, format="json")
        self.assertEqual(response.status_code, 404)

    def test_it_rejects_bad_input_and_changes_nothing(self) -> None:
        self.login(self.alice)
        before = self.counts()
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        for body, field in (
            ({"birth_date": tomorrow}, "birth_date"),
            ({"pinfl": "123"}, "pinfl"),
            ({"sex": "other"}, "sex"),
            ({"given_name": ""}, "given_name"),
        ):
            with self.subTest(field=field):
                response = self.client.patch(self.person_url(self.child), body, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
        self.child.refresh_from_db()
        self.assertEqual(
            (self.child.given_name, self.child.birth_date, self.child.pinfl),
            ("Shahnoza", dt.date(2014, 5, 20), ""),
        )
        self.assertEqual(self.counts(), before)


# --- schema and docs ---------------------------------------------------------------------------


class ApiSchemaTests(ApiTestCase):
    def test_it_serves_the_openapi_schema_with_household_and_person_paths(self) -> None:
        response = self.client.get(reverse("api-schema"), {"format": "json"})
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        for path in (
            "/api/v1/households/",
            "/api/v1/households/{id}/",
            "/api/v1/people/",
            "/api/v1/people/{id}/",
        ):
            self.assertIn(path, schema["paths"])
        operations = set(schema["paths"]["/api/v1/households/{id}/"])
        self.assertTrue({"get", "put", "patch"} <= operations)
        self.assertNotIn("delete", operations)
        person = schema["components"]["schemas"]["Person"]["properties"]
        self.assertIn("pinfl_masked", person)
        self.assertNotIn("pinfl", person)
        self.assertTrue(
            schema["components"]["schemas"]["PersonInputRequest"]["properties"]["pinfl"][
                "writeOnly"
            ]
        )
        self.assertIn("tokenAuth", schema["components"]["securitySchemes"])
        self.assertIn("Django admin", schema["info"]["description"])

    def test_it_serves_the_docs_page_without_external_assets(self) -> None:
        response = self.client.get(reverse("api-docs"))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("redoc.standalone.js", html)
        self.assertIn("/static/", html)
        for external in ("http://", "https://", "//fonts.", "cdn"):
            self.assertNotIn(external, html)
