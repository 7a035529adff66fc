from __future__ import annotations

import json
from io import StringIO
from random import Random
from unittest import mock

from django.core.management import call_command, get_commands
from django.db.models import Count
from django.http import HttpRequest
from django.test import TestCase

from oila.accounts.models import Organisation, Programme, Role, Team, User
from oila.audit.models import AuditEvent
from oila.audit.services import verify_chain
from oila.common.dates import age_on, today
from oila.common.script import cyrillic_to_latin
from oila.demo import names
from oila.demo.config import ensure_setup
from oila.demo.families import ProgrammePlanner
from oila.geo.models import District, Mahalla
from oila.registry.models import (
    CareArrangement,
    Consent,
    Enrolment,
    Household,
    Membership,
    Person,
)
from oila.registry.selectors import programme_stats

PASSWORD = "khorezm-demo-pass-1"
LOGINS = {
    "caseworker1": Role.CASEWORKER,
    "caseworker2": Role.CASEWORKER,
    "supervisor1": Role.SUPERVISOR,
    "manager": Role.MANAGER,
    "meofficer": Role.ME_OFFICER,
    "partner1": Role.PARTNER,
    "dpo": Role.DPO,
    "admin": Role.ADMIN,
}


def enrolled(group: str, **lookups: object) -> int:
    return Enrolment.objects.filter(
        programme__slug="khorezm", group=group, status="active", **lookups
    ).count()


def snapshot_counts() -> dict[str, int]:
    models = [
        Household, Person, Membership, Enrolment, CareArrangement, Consent, AuditEvent, User,
        Organisation, Programme, Team, Mahalla,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


class DemoDataTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = StringIO()
        call_command("demo-data", password=PASSWORD, seed=2017, stdout=cls.output)
        cls.programme = Programme.objects.get(slug="khorezm")

    def test_it_reproduces_the_published_beneficiary_table(self) -> None:
        self.assertEqual(enrolled("sos_child"), 29)
        self.assertEqual(enrolled("sos_child", person__sex="female"), 13)
        self.assertEqual(enrolled("vulnerable_child"), 367)
        self.assertEqual(enrolled("vulnerable_child", person__sex="female"), 190)
        self.assertEqual(enrolled("youth"), 26)
        self.assertEqual(enrolled("youth", person__sex="female"), 16)
        self.assertEqual(enrolled("specialist"), 50)
        families = Household.objects.filter(
            memberships__person__enrolments__group="vulnerable_child"
        ).distinct()
        self.assertEqual(families.count(), 128)
        self.assertEqual(set(families.values_list("kind", flat=True)), {"vulnerable"})
        self.assertEqual(Household.objects.filter(kind="vulnerable").count(), 128)

    def test_stats_agree_with_the_table(self) -> None:
        stats = programme_stats(programme=self.programme)
        self.assertEqual(stats["enrolled"]["sos_child"], {"female": 13, "male": 16, "total": 29})
        self.assertEqual(
            stats["enrolled"]["vulnerable_child"], {"female": 190, "male": 177, "total": 367}
        )
        self.assertEqual(stats["enrolled"]["youth"], {"female": 16, "male": 10, "total": 26})
        self.assertEqual(stats["enrolled"]["specialist"]["total"], 50)
        self.assertEqual(stats["families_with_vulnerable_children"], 128)
        self.assertEqual(stats["households"]["vulnerable"], 128)
        self.assertEqual(stats["households"]["sos"], 5)
        self.assertEqual(stats["households"]["total"], Household.objects.count())
        self.assertEqual(stats["users"]["caseworker"], 2)
        self.assertEqual(sum(stats["users"].values()), 8)

    def test_people_have_the_ages_of_their_group(self) -> None:
        now = today()
        ages = {
            group: [
                age_on(birth, now)
                for birth in Person.objects.filter(
                    enrolments__group=group, birth_date__isnull=False
                ).values_list("birth_date", flat=True)
            ]
            for group in ("sos_child", "vulnerable_child", "youth", "specialist")
        }
        self.assertTrue(all(0 <= a <= 17 for a in ages["sos_child"] + ages["vulnerable_child"]))
        self.assertTrue(all(15 <= a <= 24 for a in ages["youth"]))
        self.assertTrue(all(a >= 18 for a in ages["specialist"]))
        self.assertEqual(len(ages["vulnerable_child"]), 367)

    def test_young_people_in_vulnerable_families_are_not_counted_as_children(self) -> None:
        both = Person.objects.filter(enrolments__group="youth").filter(
            enrolments__group="vulnerable_child"
        )
        self.assertFalse(both.exists())
        in_families = Enrolment.objects.filter(
            group="youth", person__memberships__household__kind="vulnerable"
        )
        self.assertTrue(in_families.exists())

    def test_specialists_belong_to_no_household(self) -> None:
        specialists = Person.objects.filter(enrolments__group="specialist")
        self.assertEqual(specialists.count(), 50)
        self.assertFalse(Membership.objects.filter(person__in=specialists).exists())

    def test_every_district_has_households(self) -> None:
        per_district = dict(
            District.objects.filter(region__soato="1733")
            .annotate(n=Count("household"))
            .values_list("soato", "n")
        )
        self.assertEqual(len(per_district), 13)
        self.assertTrue(all(n >= 5 for n in per_district.values()), per_district)
        self.assertFalse(Household.objects.filter(mahalla__isnull=True).exists())
        self.assertFalse(
            Mahalla.objects.annotate(n=Count("district__mahallas")).filter(n__lt=3).exists()
        )

    def test_some_names_are_entered_in_cyrillic_and_some_in_capitals(self) -> None:
        scripts = dict(
            Person.objects.values("name_script")
            .annotate(n=Count("id"))
            .values_list("name_script", "n")
        )
        total = sum(scripts.values())
        self.assertGreater(scripts.get("cyrl", 0), total * 0.15)
        self.assertLess(scripts.get("cyrl", 0), total * 0.35)
        self.assertTrue(Person.objects.filter(family_name__regex=r"^[A-Z]+A$").exists())
        cyrillic = Person.objects.filter(name_script="cyrl").first()
        assert cyrillic is not None
        # The search key meets the Latin spelling, so the Cyrillic entries are findable.
        self.assertIn(cyrillic_to_latin(cyrillic.given_name).lower(), cyrillic.search_text)

    def test_shahnoza_karimova_is_a_girl_in_a_vulnerable_family(self) -> None:
        shahnoza = Person.objects.get(given_name="Shahnoza", family_name="Karimova")
        self.assertEqual(shahnoza.name_script, "latn")
        self.assertEqual(shahnoza.sex, "female")
        self.assertTrue(shahnoza.enrolments.filter(group="vulnerable_child").exists())
        self.assertEqual(shahnoza.memberships.get().household.kind, "vulnerable")
        self.assertEqual(
            Person.objects.filter(search_text__startswith="shahnoza karimova").count(), 1
        )

    def test_it_creates_one_login_per_role_with_the_password(self) -> None:
        users = {u.username: u for u in User.objects.all()}
        self.assertEqual({name: u.role for name, u in users.items()}, LOGINS)
        self.assertNotEqual(users["caseworker1"].team, users["caseworker2"].team)
        self.assertEqual(users["supervisor1"].team, users["caseworker1"].team)
        self.assertEqual(users["partner1"].organisation.type, Organisation.Type.SCHOOL)
        self.assertTrue(users["admin"].is_superuser and users["admin"].is_staff)
        for username in ("manager", "meofficer", "dpo"):
            self.assertEqual(list(users[username].programmes.all()), [self.programme])
        for username in LOGINS:
            with self.subTest(username=username):
                self.assertTrue(self.client.login(username=username, password=PASSWORD))
        out = self.output.getvalue()
        for username, role in LOGINS.items():
            self.assertRegex(out, rf"\n  {username} +{Role(role).label}")
        self.assertIn(PASSWORD, out)

    def test_households_belong_to_a_caseworker_of_their_team_who_registered_them(self) -> None:
        pairs = set(Household.objects.values_list("caseworker__username", "team__name"))
        self.assertEqual(pairs, {("caseworker1", "Urganch"), ("caseworker2", "Xiva")})
        for household in Household.objects.select_related("caseworker", "district")[:20]:
            self.assertIn(household.district, household.team.districts.all())
            event = AuditEvent.objects.get(action="household.register", target_id=str(household.pk))
            self.assertEqual(event.actor_username, household.caseworker.username)

    def test_sos_children_live_in_family_like_care_with_their_history(self) -> None:
        children = Person.objects.filter(enrolments__group="sos_child")
        for child in children:
            current = child.care_arrangements.get(ended_on__isnull=True)
            self.assertEqual(current.type, "family_like")
            self.assertEqual(current.caregiver_household.kind, "sos")
            self.assertEqual(child.memberships.get().household, current.caregiver_household)
        previous = CareArrangement.objects.filter(person__in=children, ended_on__isnull=False)
        self.assertTrue(previous.filter(type="residential").exists())
        self.assertTrue(previous.filter(type="parental").exists())

    def test_heads_consent_and_some_children_have_disabilities_or_pinfls(self) -> None:
        heads = Person.objects.filter(memberships__relationship__in=["head", "caregiver"])
        self.assertEqual(heads.count(), Household.objects.count())
        self.assertFalse(heads.exclude(consents__purpose="data_processing").exists())
        self.assertTrue(Consent.objects.filter(purpose="information_sharing").count() > 200)
        self.assertTrue(Consent.objects.filter(purpose="photos").exists())
        self.assertTrue(Consent.objects.filter(given_by="caregiver", child_assent=True).exists())
        children = Person.objects.filter(enrolments__group="vulnerable_child")
        disabled = children.filter(has_disability=True).count()
        self.assertTrue(0.02 * 367 <= disabled <= 0.1 * 367, disabled)
        adults_with_pinfl = Person.objects.exclude(pinfl_hash="").filter(
            birth_date__year__lt=today().year - 18
        )
        self.assertGreater(adults_with_pinfl.count(), 50)
        self.assertRegex(adults_with_pinfl.first().pinfl, r"^\d{14}$")

    def test_a_second_run_changes_nothing(self) -> None:
        before = snapshot_counts()
        out = StringIO()
        call_command("demo-data", password=PASSWORD, seed=2017, stdout=out)
        call_command("demo-data", seed=99, stdout=out)
        self.assertEqual(snapshot_counts(), before)
        self.assertIn("left unchanged", out.getvalue())
        self.assertIn("Passwords were left unchanged", out.getvalue())
        self.assertTrue(self.client.login(username="caseworker2", password=PASSWORD))
        verify = StringIO()
        call_command("audit", "verify", stdout=verify)
        self.assertIn("OK", verify.getvalue())
        self.assertTrue(verify_chain().ok)

    def test_a_new_password_replaces_the_old_one(self) -> None:
        call_command("demo-data", password="another-demo-pass", stdout=StringIO())
        self.assertFalse(self.client.login(username="dpo", password=PASSWORD))
        self.assertTrue(self.client.login(username="dpo", password="another-demo-pass"))

    def test_stats_json_parses_and_matches(self) -> None:
        out = StringIO()
        call_command("stats", programme="khorezm", json=True, stdout=out)
        data = json.loads(out.getvalue())
        self.assertEqual(data, json.loads(json.dumps(programme_stats(programme=self.programme))))
        self.assertEqual(data["programme"], "khorezm")
        self.assertEqual(data["enrolled"]["vulnerable_child"]["female"], 190)
        self.assertEqual(data["families_with_vulnerable_children"], 128)

    def test_stats_prints_a_table_without_json(self) -> None:
        out = StringIO()
        call_command("stats", programme="khorezm", stdout=out)
        self.assertRegex(out.getvalue(), r"sos_child +13 +16 +29")
        self.assertIn("families with vulnerable children: 128", out.getvalue())


class DemoDataCommandTests(TestCase):
    """The parts that need no registry: the command's name, logins, and the seeded planning."""

    def test_it_answers_to_demo_data_with_a_hyphen(self) -> None:
        self.assertEqual(get_commands()["demo-data"], "oila.demo")
        self.assertEqual(get_commands()["demo_data"], "oila.demo")

    @mock.patch("oila.demo.build._write_registry")
    def test_it_generates_a_password_only_for_new_logins(self, write: mock.Mock) -> None:
        out = StringIO()
        call_command("demo-data", stdout=out)
        password = out.getvalue().rsplit("The generated password of every login: ", 1)[1].strip()
        self.assertGreaterEqual(len(password), 12)
        self.assertTrue(
            self.client.login(request=HttpRequest(), username="meofficer", password=password)
        )
        again = StringIO()
        call_command("demo-data", stdout=again)
        self.assertIn("Passwords were left unchanged", again.getvalue())
        self.assertNotIn(password, again.getvalue())
        self.assertTrue(
            self.client.login(request=HttpRequest(), username="meofficer", password=password)
        )

    def test_the_same_seed_gives_the_same_people(self) -> None:
        setup = ensure_setup()

        def names_for(seed: int) -> list[str]:
            planner = ProgrammePlanner(Random(seed), setup.districts, setup.mahallas)
            households, specialists = planner.plan()
            people = [m for h in households for m in h.members + h.late_members] + specialists
            return [m.full_name for m in people]

        self.assertEqual(names_for(3), names_for(3))
        self.assertNotEqual(names_for(3), names_for(4))

    def test_every_name_survives_the_official_cyrillic_table(self) -> None:
        words = [
            *names.FEMALE_NAMES, *names.MALE_NAMES, *names.SURNAMES, *names.MAHALLAS,
            *names.STREETS, *(names.feminine(s) for s in names.SURNAMES),
            *(names.patronymic(m, sex, style=style) for m in names.MALE_NAMES
              for sex in ("male", "female") for style in ("uzbek", "russian")),
        ]  # fmt: skip
        for word in words:
            with self.subTest(word=word):
                self.assertEqual(cyrillic_to_latin(names.to_cyrillic(word)), word)
        self.assertEqual(names.to_cyrillic("Shahnoza Karimova"), "Шаҳноза Каримова")
        self.assertEqual(
            names.to_cyrillic("Shahnoza Karimova", russian_style=True), "Шахноза Каримова"
        )
