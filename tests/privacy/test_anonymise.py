"""Anonymisation of closed cases (GDPR art. 5(1)(e)): after the programme's anonymise_after_years
(default 5) from the last closure, names go, identifiers, narratives and notes are removed, and
only what indicators count stays. Audited, idempotent; an open or more recent case stops it."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.management import call_command

from oila.audit.models import AuditEvent
from oila.cases import services as cases
from oila.cases.models import Case, Visit
from oila.common.dates import today
from oila.privacy.services import anonymise
from oila.registry import services as registry
from oila.registry.models import Consent, Enrolment, Household, Person
from tests.base import OilaTestCase
from tests.cases.factories import open_case, request_closure, sharing_consent


def later(years: int, days: int = 0) -> dt.date:
    on = today()
    return on.replace(year=on.year + years) + dt.timedelta(days=days)


class AnonymiseTestCase(OilaTestCase):
    def setUp(self) -> None:
        registry.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "31405209876543"}
        )
        registry.household_update(
            actor=self.alice,
            household=self.household,
            data={"address": "Navroʻz koʻchasi 5", "phone": "+998 90 123 45 67"},
        )
        sharing_consent(self.alice, self.child)
        self.case = open_case(self.alice, self.household)
        cases.visit_record(actor=self.alice, case=self.case, on=today(), kind="home",
                           narrative="The father drinks; the mother works nights.")  # fmt: skip

    def close(self, case: Case) -> None:
        request_closure(self.alice, case)
        cases.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")


class AnonymiseTests(AnonymiseTestCase):
    def test_it_anonymises_a_household_whose_cases_closed_long_ago(self) -> None:
        self.close(self.case)
        result = anonymise(actor="scheduler", on=later(5, days=1))
        self.assertEqual([h.pk for h in result.households], [self.household.pk])
        child = Person.objects.get(pk=self.child.pk)
        self.assertEqual((child.given_name, child.family_name, child.patronymic),
                         ("Anonymised", "Anonymised", ""))  # fmt: skip
        self.assertEqual((child.pinfl, child.pinfl_hash, child.search_text), ("", "", ""))
        # what indicators count stays: sex, birth year, district, disability, enrolment groups
        self.assertEqual((child.sex, child.birth_date), ("female", dt.date(2014, 1, 1)))
        household = Household.objects.get(pk=self.household.pk)
        self.assertEqual((household.name, household.address, household.phone),
                         ("Anonymised", "", ""))  # fmt: skip
        self.assertEqual((household.district, household.mahalla), (self.urganch, None))
        self.assertEqual(
            list(Enrolment.objects.filter(person=self.child).values_list("group", flat=True)),
            ["vulnerable_child"],
        )
        self.assertEqual(
            Visit.objects.get(case=self.case).narrative, "—"
        )  # a required field: a dash
        self.assertEqual(Case.objects.get(pk=self.case.pk).closure_note, "")
        self.assertEqual(Consent.objects.get(person=self.child).given_by_name, "")
        event = AuditEvent.objects.get(action="privacy.anonymise")
        self.assertEqual(
            (event.actor_username, event.target_id), ("scheduler", str(self.household.pk))
        )
        self.assertEqual(event.after, {"people": 2, "cases": 1})

    def test_it_is_idempotent(self) -> None:
        self.close(self.case)
        anonymise(actor="scheduler", on=later(6))
        again = anonymise(actor="scheduler", on=later(6))
        self.assertEqual((again.households, again.people), ([], []))
        self.assertEqual(AuditEvent.objects.filter(action="privacy.anonymise").count(), 1)

    def test_it_waits_for_the_programmes_number_of_years(self) -> None:
        self.close(self.case)
        self.assertEqual(anonymise(actor="scheduler", on=later(5, days=-1)).households, [])
        self.programme.settings = {"anonymise_after_years": 2}
        self.programme.save(update_fields=["settings"])
        self.assertEqual(len(anonymise(actor="scheduler", on=later(3)).households), 1)

    def test_an_open_case_keeps_the_household(self) -> None:
        self.assertEqual(anonymise(actor="scheduler", on=later(10)).households, [])
        self.assertEqual(Person.objects.get(pk=self.child.pk).given_name, "Shahnoza")

    def test_a_more_recent_case_of_a_member_elsewhere_keeps_the_household(self) -> None:
        self.close(self.case)
        other = registry.household_register(
            actor=self.alice,
            data={"name": "Yangi oila", "district": self.urganch},
            members=[{"given_name": "Gulnora", "family_name": "Rahimova", "sex": "female"}],
        )
        registry.membership_add(actor=self.alice, household=other, person=self.child,
                                relationship="child", started_on=today())  # fmt: skip
        open_case(self.alice, other)
        self.assertEqual(anonymise(actor="scheduler", on=later(6)).households, [])
        self.assertEqual(Person.objects.get(pk=self.child.pk).given_name, "Shahnoza")


class AnonymiseCommandTests(AnonymiseTestCase):
    def test_the_dry_run_lists_and_changes_nothing(self) -> None:
        self.close(self.case)
        out = io.StringIO()
        with time_machine.travel(dt.datetime.combine(later(6), dt.time(12)), tick=False):
            call_command("anonymise", "--dry-run", stdout=out)
            self.assertIn("Would anonymise 1 household(s), 2 person(s), 1 case(s).", out.getvalue())
            self.assertIn(self.case.number, out.getvalue())
            self.assertEqual(Person.objects.get(pk=self.child.pk).given_name, "Shahnoza")
            self.assertFalse(AuditEvent.objects.filter(action="privacy.anonymise").exists())
            out = io.StringIO()
            call_command("anonymise", stdout=out)
        self.assertIn("Anonymised 1 household(s)", out.getvalue())
        self.assertEqual(Person.objects.get(pk=self.child.pk).given_name, "Anonymised")


class AnonymiseJobTests(AnonymiseTestCase):
    def test_the_nightly_job_anonymises_and_is_scheduled(self) -> None:
        from oila.privacy.tasks import anonymise_closed_cases

        self.close(self.case)
        with time_machine.travel(dt.datetime.combine(later(6), dt.time(12)), tick=False):
            self.assertEqual(anonymise_closed_cases.call_local(), 1)
            self.assertEqual(anonymise_closed_cases.call_local(), 0)
        self.assertEqual(Person.objects.get(pk=self.child.pk).family_name, "Anonymised")
        # 03:30 in Tashkent is 22:30 UTC
        validate = anonymise_closed_cases.task_class().validate_datetime
        self.assertTrue(validate(dt.datetime(2026, 5, 1, 22, 30)))
        self.assertFalse(validate(dt.datetime(2026, 5, 1, 3, 30)))
