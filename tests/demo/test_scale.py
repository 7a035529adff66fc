"""`oila demo-data --scale N`: the bulk-loaded programme for benchmarks (oila.demo.scale)."""

from __future__ import annotations

import unittest
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.http import Http404
from django.test import TestCase

from oila.accounts.models import Role, User
from oila.audit.models import AuditEvent
from oila.audit.services import verify_chain
from oila.cases.models import Case, CaseEvent, CaseNumberCounter
from oila.common.crypto import decrypt, keyed_hash
from oila.common.script import detect_script, search_key
from oila.demo import names as n
from oila.demo import scale
from oila.registry import selectors
from oila.registry.matching import blocking_keys
from oila.registry.models import Enrolment, Household, Membership, Person
from oila.support.models import ServiceDelivery

PEOPLE = 2000
on_postgresql = unittest.skipUnless(
    connection.vendor == "postgresql",
    "the scale build loads with PostgreSQL's COPY; run with DATABASE_URL=postgres://…",
)


class ScaleNamesTests(TestCase):
    def test_it_derives_search_keys_as_the_registry_does(self) -> None:
        # The build keys each name part apart and joins them; that must equal search_key of the
        # whole name, which registry.services stores, for every name the build can write.
        givens = n.FEMALE_NAMES + n.MALE_NAMES
        for family in scale._surnames():
            for given in givens[:: len(givens) // 12]:
                for father in ("Sherzod", "Ulugʻbek", "Maʼruf"):
                    for style in ("uzbek", "russian"):
                        sex = "female" if given in n.FEMALE_NAMES else "male"
                        parts = (
                            given,
                            n.surname_for(family, sex),
                            n.patronymic(father, sex, style=style),
                        )
                        for written in (parts, tuple(n.to_cyrillic(p) for p in parts)):
                            whole = " ".join(written)
                            derived = scale._derived(*written)
                            self.assertEqual(derived[1], search_key(whole), whole)
                            self.assertEqual(derived[0], detect_script(whole), whole)

    def test_it_refuses_sqlite_with_a_clear_message(self) -> None:
        if connection.vendor == "postgresql":
            self.skipTest("this test is about SQLite")
        with self.assertRaisesMessage(CommandError, "needs a PostgreSQL database"):
            call_command("demo-data", "--scale", "1000", stdout=StringIO())
        self.assertFalse(Household.objects.exists())


@on_postgresql
class ScaleBuildTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.out = StringIO()
        cls.result = scale.build_scale(people=PEOPLE, stdout=cls.out)
        cls.programme = cls.result.programme

    def test_it_builds_about_the_people_asked_for(self) -> None:
        people = Person.objects.filter(programme=self.programme).count()
        # whole households are made, so the last one may pass the number by a few people
        self.assertGreaterEqual(people, PEOPLE)
        self.assertLess(people, PEOPLE + 15)
        self.assertEqual(self.result.counts["people"], people)
        self.assertIn("Building a programme of 2,000 people", self.out.getvalue())

    def test_it_keeps_the_documented_proportions(self) -> None:
        households = Household.objects.filter(programme=self.programme)
        total = households.count()
        children = Enrolment.objects.filter(
            programme=self.programme, group__in=["vulnerable_child", "sos_child"]
        ).count()
        with_case = households.filter(cases__isnull=False).distinct().count()
        self.assertAlmostEqual(children / total, 2.83, delta=0.2)
        self.assertAlmostEqual(with_case / total, 1 / 3, delta=0.06)
        self.assertAlmostEqual(total, PEOPLE / 4.7, delta=PEOPLE / 4.7 * 0.1)
        cases = Case.objects.filter(programme=self.programme)
        open_share = cases.filter(status__in=["open", "closure_requested"]).count() / cases.count()
        self.assertAlmostEqual(open_share, 0.63, delta=0.1)
        self.assertAlmostEqual(cases.filter(kind="child").count() / cases.count(), 0.3, delta=0.08)
        # every household has members; every member of a household is its member exactly once
        self.assertFalse(households.annotate(m=Count("memberships")).filter(m=0).exists())
        in_households = Person.objects.filter(programme=self.programme, memberships__isnull=False)
        self.assertEqual(
            Membership.objects.filter(household__programme=self.programme).count(),
            in_households.count(),
        )
        specialists = Enrolment.objects.filter(programme=self.programme, group="specialist")
        self.assertEqual(specialists.count(), round(PEOPLE * 0.002))

    def test_it_owns_every_record_like_the_services_do(self) -> None:
        mismatched_people = Person.objects.filter(
            programme=self.programme, memberships__isnull=False
        ).exclude(
            caseworker=F("memberships__household__caseworker"),
            team=F("memberships__household__team"),
        )
        self.assertFalse(mismatched_people.exists())
        cases = Case.objects.filter(programme=self.programme)
        self.assertFalse(cases.exclude(caseworker=F("household__caseworker")).exists())
        deliveries = ServiceDelivery.objects.filter(case__programme=self.programme)
        self.assertTrue(deliveries.exists())
        self.assertFalse(deliveries.exclude(caseworker=F("case__caseworker")).exists())
        # each caseworker's team is the team on her households
        for user in User.objects.filter(username__startswith="scale-cw-")[:5]:
            self.assertFalse(
                Household.objects.filter(caseworker=user).exclude(team=user.team_id).exists()
            )

    def test_it_derives_names_pinfl_and_case_numbers_as_the_services_do(self) -> None:
        people = Person.objects.filter(programme=self.programme).order_by("?")[:200]
        for person in people:
            names = " ".join(
                p for p in (person.given_name, person.family_name, person.patronymic) if p
            )
            self.assertEqual(person.search_text, search_key(names))
            self.assertEqual(person.name_script, detect_script(names))
            for field, value in blocking_keys(person).items():
                self.assertEqual(getattr(person, field), value, field)
        with_pinfl = Person.objects.filter(programme=self.programme).exclude(pinfl="")
        self.assertGreater(with_pinfl.count(), 0)
        for person in with_pinfl[:50]:
            self.assertRegex(person.pinfl, r"^\d{14}$")  # decrypted by the field
            self.assertEqual(person.pinfl_hash, keyed_hash(person.pinfl))
        # the household's search key holds its members' keys (registry.services)
        household = Household.objects.filter(programme=self.programme).first()
        for membership in household.memberships.select_related("person"):
            self.assertIn(membership.person.search_text, household.search_text)
        visit_notes = Case.objects.filter(programme=self.programme, visits__isnull=False)
        visit = visit_notes.first().visits.first()
        self.assertTrue(visit.narrative)  # decrypts
        self.assertFalse(
            Case.objects.filter(programme=self.programme)
            .exclude(number__startswith="SCL-")
            .exists()
        )
        for counter in CaseNumberCounter.objects.filter(prefix="SCL"):
            last = f"SCL-{counter.year}-{counter.last:05d}"
            self.assertTrue(Case.objects.filter(number=last).exists(), last)
        self.assertTrue(CaseEvent.objects.filter(case__programme=self.programme).exists())
        with connection.cursor() as cursor:  # stored encrypted, as the field writes it
            cursor.execute(
                "SELECT pinfl FROM registry_person WHERE id = %s", [with_pinfl.first().pk]
            )
            stored = cursor.fetchone()[0]
        self.assertTrue(stored.startswith("enc1:"))
        self.assertRegex(decrypt(stored), r"^\d{14}$")

    def test_it_leaves_the_audit_chain_valid_with_one_event_for_the_load(self) -> None:
        self.assertTrue(verify_chain().ok)
        event = AuditEvent.objects.get(action="demo.scale")
        self.assertEqual(event.after["counts"]["people"], self.result.counts["people"])
        self.assertEqual(event.target_id, str(self.programme.pk))

    def test_it_puts_back_every_index_and_foreign_key(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = ANY(%s)",
                [["person_given_dob_idx", "hh_list_idx", "case_worker_status_idx"]],
            )
            self.assertEqual(cursor.fetchone()[0], 3)
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = 'registry_person'::regclass"
            )
            self.assertGreaterEqual(cursor.fetchone()[0], 4)

    def test_a_second_run_changes_nothing(self) -> None:
        before = Person.objects.count()
        out = StringIO()
        result = scale.build_scale(people=PEOPLE, stdout=out)
        self.assertFalse(result.built)
        self.assertIn("already there", out.getvalue())
        self.assertEqual(Person.objects.count(), before)
        self.assertEqual(AuditEvent.objects.filter(action="demo.scale").count(), 1)

    def test_a_caseworker_sees_only_her_households(self) -> None:
        alice = User.objects.get(username="scale-cw-00001")
        other = User.objects.get(username="scale-cw-00002")
        self.assertEqual(alice.role, Role.CASEWORKER)
        mine = Household.objects.filter(caseworker=alice)
        self.assertGreater(mine.count(), 0)
        seen = selectors.household_list(user=alice)
        self.assertEqual(
            set(seen.values_list("pk", flat=True)), set(mine.values_list("pk", flat=True))
        )
        theirs = Household.objects.filter(caseworker=other).first()
        with self.assertRaises(Http404):
            selectors.household_get(user=alice, household_id=theirs.pk)
        manager = User.objects.get(username="scale-manager")
        self.assertEqual(
            selectors.household_list(user=manager).count(),
            Household.objects.filter(programme=self.programme).count(),
        )
        supervisor = User.objects.get(username="scale-sv-0001")
        self.assertEqual(
            selectors.household_list(user=supervisor).count(),
            Household.objects.filter(team=supervisor.team_id).count(),
        )

    def test_the_pages_render_for_scale_records(self) -> None:
        alice = User.objects.get(username="scale-cw-00001")
        household = Household.objects.filter(caseworker=alice, cases__isnull=False).first()
        case = household.cases.first()
        person = household.memberships.first().person
        self.client.force_login(alice)
        for url, text in (
            ("/", ""),
            ("/households/", household.name),
            (f"/households/?q={person.given_name}", person.given_name),
            (household.get_absolute_url(), person.given_name),
            (case.get_absolute_url(), case.number),
            (person.get_absolute_url(), person.family_name),
        ):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertContains(response, text, msg_prefix=url)
        carol = User.objects.get(username="scale-cw-00002")
        self.client.force_login(carol)
        self.assertEqual(self.client.get(household.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(case.get_absolute_url()).status_code, 404)
