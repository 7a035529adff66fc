from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from random import Random
from unittest import mock

from django.core import mail
from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.db import models
from django.db.models import Count
from django.http import HttpRequest
from django.test import TestCase
from django.utils import translation

from oila.accounts.models import Notification, Organisation, Programme, Role, Team, User
from oila.assessments.models import Assessment, Score
from oila.audit.models import AuditEvent
from oila.audit.services import verify_chain
from oila.cases.models import Case, Visit
from oila.common.dates import age_on, today
from oila.common.script import cyrillic_to_latin
from oila.demo import names
from oila.demo.config import ensure_setup
from oila.demo.families import ProgrammePlanner
from oila.demo.management.commands.stats import reached_stats
from oila.geo.models import District, Mahalla
from oila.plans.models import Goal, Plan
from oila.public.models import Photo
from oila.registry import services as registry
from oila.registry.models import (
    CareArrangement,
    Consent,
    Enrolment,
    Household,
    Membership,
    Person,
)
from oila.registry.selectors import programme_stats
from oila.support.models import Referral, ServiceDelivery
from oila.training.models import TrainingEvent, TrainingParticipation
from oila.youth.models import FollowUp, Placement, YouthTraining

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
    """People ever enrolled in the group (graduated and transferred ones were reached too)."""
    return (
        Enrolment.objects.filter(programme__slug="khorezm", group=group, **lookups)
        .values("person")
        .distinct()
        .count()
    )


def snapshot_counts() -> dict[str, int]:
    models = [
        Household, Person, Membership, Enrolment, CareArrangement, Consent, AuditEvent, User,
        Organisation, Programme, Team, Mahalla, Case, Visit, Assessment, Plan, Goal, Referral,
        ServiceDelivery, YouthTraining, Placement, FollowUp, TrainingEvent, TrainingParticipation,
        Photo, Notification,
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
        reached = reached_stats(programme=self.programme)
        self.assertEqual(reached["enrolled"]["sos_child"], {"female": 13, "male": 16, "total": 29})
        self.assertEqual(
            reached["enrolled"]["vulnerable_child"], {"female": 190, "male": 177, "total": 367}
        )
        self.assertEqual(reached["enrolled"]["youth"], {"female": 16, "male": 10, "total": 26})
        self.assertEqual(reached["enrolled"]["specialist"]["total"], 50)
        self.assertEqual(reached["families_with_vulnerable_children"], 128)
        stats = programme_stats(programme=self.programme)
        # Families graduated or transferred since: fewer are active than were reached.
        active = stats["enrolled"]["vulnerable_child"]["total"]
        left = Enrolment.objects.filter(group="vulnerable_child").exclude(status="active").count()
        self.assertEqual(active + left, 367)
        self.assertGreater(left, 0)
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
        # Signing in activates the user's language for this thread; the command speaks English here.
        with translation.override("en"):
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
        expected = {
            **programme_stats(programme=self.programme),
            "reached": reached_stats(programme=self.programme),
        }
        self.assertEqual(data, json.loads(json.dumps(expected)))
        self.assertEqual(data["programme"], "khorezm")
        self.assertEqual(data["reached"]["enrolled"]["vulnerable_child"]["female"], 190)
        self.assertEqual(data["reached"]["families_with_vulnerable_children"], 128)

    def test_stats_prints_a_table_without_json(self) -> None:
        out = StringIO()
        call_command("stats", programme="khorezm", stdout=out)
        self.assertRegex(out.getvalue(), r"sos_child +13 +16 +29 +\d+")
        self.assertRegex(out.getvalue(), r"vulnerable_child +190 +177 +367 +\d+")
        self.assertIn("families with vulnerable children: 128 (active now: ", out.getvalue())

    # --- the programme's history (oila.demo.activity) ------------------------------------------

    def test_cases_are_at_every_step_and_closed_for_several_reasons(self) -> None:
        statuses = set(Case.objects.values_list("status", flat=True))
        self.assertEqual(statuses, {"open", "closure_requested", "closed", "transferred"})
        steps = set(Case.objects.filter(status="open").values_list("step", flat=True))
        self.assertTrue({1, 3, 4, 5} <= steps, steps)
        reasons = set(Case.objects.filter(status="closed").values_list("closure_reason", flat=True))
        self.assertIn("goals_met", reasons)
        self.assertGreaterEqual(len(reasons - {"goals_met"}), 3, reasons)
        self.assertTrue(Case.objects.filter(kind="child", subject__enrolments__group="sos_child"))
        # A family that met its goals graduated; a transferred case's children were transferred.
        graduated = Case.objects.filter(kind="family", closure_reason="goals_met").first()
        assert graduated is not None
        self.assertTrue(
            Enrolment.objects.filter(
                person__memberships__household=graduated.household, status="graduated"
            ).exists()
        )
        self.assertTrue(Enrolment.objects.filter(status="transferred").exists())

    def test_history_is_spread_over_the_programme_years(self) -> None:
        years = set(Case.objects.values_list("opened_on__year", flat=True))
        self.assertTrue(set(range(2017, today().year + 1)) <= years, years)
        closed = set(Case.objects.filter(status="closed").values_list("closed_on__year", flat=True))
        self.assertGreaterEqual(len(closed), 5)
        self.assertFalse(Case.objects.filter(opened_on__gt=today()).exists())
        # The audit events carry the days they happened on.
        opened = AuditEvent.objects.filter(action="case.open").order_by("seq").first()
        assert opened is not None
        case = Case.objects.get(pk=opened.target_id)
        self.assertEqual(opened.at.date(), case.opened_on)

    def test_first_and_latest_csi_with_protection_improving_for_most(self) -> None:
        protection: dict[tuple[object, object], int] = {}
        for assessment_id, subject, on, value in (
            Score.objects.filter(assessment__instrument__code="csi", item__code__in=["3A", "3B"])
            .values_list("assessment", "assessment__subject", "assessment__assessed_on", "value")
        ):  # fmt: skip
            protection[(subject, on)] = protection.get((subject, on), 0) + value
            del assessment_id
        by_child: dict[object, list[tuple[object, int]]] = {}
        for (subject, on), total in protection.items():
            by_child.setdefault(subject, []).append((on, total))
        twice = [sorted(rows) for rows in by_child.values() if len(rows) >= 2]
        self.assertGreater(len(twice), 40)
        improved = sum(rows[-1][1] > rows[0][1] for rows in twice)
        self.assertGreater(improved, len(twice) // 3)
        self.assertLess(improved, len(twice))

    def test_plans_visits_services_and_referrals(self) -> None:
        self.assertTrue(Plan.objects.filter(status="approved").count() > 80)
        self.assertTrue(Plan.objects.filter(status="submitted").exists())
        self.assertTrue(Goal.objects.filter(status="met").exists())
        self.assertTrue(Goal.objects.filter(plan__status="approved", actions__isnull=False))
        self.assertGreater(Visit.objects.count(), 300)
        kinds = set(ServiceDelivery.objects.values_list("kind", flat=True))
        self.assertEqual(kinds, {"individual", "group"})
        answered = set(Referral.objects.values_list("status", flat=True))
        self.assertTrue({"completed", "declined", "not_completed", "accepted"} <= answered)
        self.assertTrue(Referral.objects.filter(to_organisation__users__username="partner1"))

    def test_children_came_home_from_residential_care(self) -> None:
        came_home = CareArrangement.objects.filter(
            type="residential",
            ended_on__isnull=False,
            person__care_arrangements__type="parental",
            person__enrolments__group="vulnerable_child",
        ).distinct()
        self.assertGreaterEqual(came_home.count(), 5)

    def test_young_people_trained_placed_and_followed_up(self) -> None:
        self.assertGreater(YouthTraining.objects.filter(completed=True).count(), 8)
        self.assertGreater(Placement.objects.count(), 5)
        six = FollowUp.objects.filter(month=6, done_on__isnull=False)
        self.assertTrue(six.filter(still_working=True).exists())
        self.assertTrue(FollowUp.objects.filter(still_working=False).exists())

    def test_specialists_trained_with_pre_and_post_tests(self) -> None:
        self.assertGreater(TrainingEvent.objects.count(), 8)
        scored = TrainingParticipation.objects.filter(post_score__isnull=False)
        self.assertTrue(scored.filter(post_score__gte=70).exists())
        self.assertTrue(scored.filter(post_score__lt=70).exists())
        self.assertFalse(scored.filter(post_score__lt=models.F("pre_score")).exists())

    def test_the_history_sent_no_email(self) -> None:
        self.assertTrue(Notification.objects.exists())
        self.assertEqual(mail.outbox, [])

    # --- the public page ---------------------------------------------------------------------

    def test_the_public_page_shows_the_published_figures_live(self) -> None:
        cache.clear()
        lines = [
            "29 children (including 13 girls) in SOS families",
            "367 children (including 190 girls) from 128 vulnerable families",
            "26 young people (including 16 girls) looking for work",
            "50 child protection specialists",
        ]
        page = self.client.get("/p/khorezm/")
        self.assertEqual(page.context["lines"], lines)
        for line in lines:
            self.assertContains(page, f"<li>{line}</li>", html=False)
        photos = page.context["photos"]
        self.assertEqual(len(photos), 4)  # the fifth shows someone whose consent was withdrawn
        self.assertEqual(Photo.objects.count(), 5)
        self.assertEqual(self.client.get(f"/p/khorezm/photos/{photos[0][0]}/").status_code, 200)
        for name in Person.objects.values_list("family_name", flat=True)[:50]:
            self.assertNotContains(page, name)
        # One more girl enrolled in an SOS family: the next visit shows her.
        household = Household.objects.filter(kind="sos").order_by("external_id").first()
        assert household is not None
        registry.person_create(
            actor=household.caseworker,
            data={"given_name": "Zarina", "family_name": "Yangiyeva", "sex": "female",
                  "birth_date": dt.date(2019, 4, 2)},
            household=household, relationship="foster_child", started_on=today(),
        )  # fmt: skip
        girl = Person.objects.get(family_name="Yangiyeva")
        registry.enrolment_create(
            actor=household.caseworker, programme=self.programme, person=girl,
            group="sos_child", enrolled_on=today(),
        )  # fmt: skip
        page = self.client.get("/p/khorezm/")
        self.assertEqual(
            page.context["lines"][0], "30 children (including 14 girls) in SOS families"
        )


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
