"""Opening a case: numbers, owners, deadlines, the timeline and the audit trail; bad input."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.utils import translation

from oila.audit.models import AuditEvent
from oila.cases import services
from oila.cases.models import Case, CaseNumberCounter
from oila.common.errors import ApplicationError
from tests.base import OilaTestCase
from tests.cases.factories import child_case, open_case

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Tashkent"))


class CaseOpenTests(OilaTestCase):
    def test_it_numbers_cases_by_prefix_year_and_sequence(self) -> None:
        with time_machine.travel(NOW, tick=False):
            first = open_case(self.alice, self.household)
            second = child_case(self.alice, self.household, self.child)
        self.assertEqual(first.number, "KHR-2026-00001")
        self.assertEqual(second.number, "KHR-2026-00002")

    def test_the_sequence_starts_again_each_year(self) -> None:
        with time_machine.travel(NOW, tick=False):
            open_case(self.alice, self.household, risk="low")
        with time_machine.travel(NOW.replace(year=2027), tick=False):
            case = child_case(self.alice, self.household, self.child)
        self.assertEqual(case.number, "KHR-2027-00001")

    def test_the_prefix_is_a_programme_setting(self) -> None:
        self.household.programme.settings = {"case_number_prefix": "XRZ"}
        with time_machine.travel(NOW, tick=False):
            case = open_case(self.alice, self.household)
        self.assertEqual(case.number, "XRZ-2026-00001")

    def test_it_copies_the_owner_fields_from_the_household(self) -> None:
        case = open_case(self.bob, self.household)
        self.assertEqual(
            (case.programme, case.team, case.caseworker),
            (self.programme, self.team_a, self.alice),
        )
        self.assertEqual(case.status, Case.Status.OPEN)
        self.assertEqual(case.step, Case.Step.IDENTIFICATION)

    def test_it_writes_the_timeline_and_the_audit_trail(self) -> None:
        case = open_case(self.alice, self.household, risk="high")
        event = case.events.get()
        self.assertEqual(event.actor, self.alice)
        self.assertEqual(event.kind, "case.open")
        with translation.override("en"):
            self.assertEqual(event.summary, f"Case {case.number} opened; risk level: high.")
        audit = AuditEvent.objects.get(action="case.open")
        self.assertEqual(audit.target_id, str(case.pk))
        self.assertEqual(audit.actor_username, "alice")

    def test_a_child_case_needs_a_child_of_the_household(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            open_case(self.alice, self.household, kind="child")
        self.assertEqual(caught.exception.field, "subject")
        stranger = self.other_team_household().memberships.get().person
        with self.assertRaises(ApplicationError):
            child_case(self.alice, self.household, stranger)
        self.assertFalse(Case.objects.exists())

    def test_it_refuses_a_second_open_case_of_the_same_kind(self) -> None:
        first = open_case(self.alice, self.household)
        with self.assertRaisesMessage(ApplicationError, first.number):
            open_case(self.alice, self.household)
        child_case(self.alice, self.household, self.child)  # another kind is fine
        self.assertEqual(Case.objects.count(), 2)

    def test_it_refuses_an_identification_in_the_future(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            open_case(
                self.alice, self.household, identified_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
            )
        self.assertEqual(caught.exception.field, "identified_at")
        self.assertFalse(Case.objects.exists())
        self.assertFalse(CaseNumberCounter.objects.exists())

    def test_it_refuses_a_caseworker_of_another_programme_or_role(self) -> None:
        for user in (self.bob, self.frank):
            with self.subTest(user=user.username), self.assertRaises(ApplicationError):
                open_case(self.alice, self.household, caseworker=user)
        self.assertFalse(Case.objects.exists())

    def test_a_case_given_to_another_caseworker_is_announced_to_them(self) -> None:
        case = open_case(self.bob, self.household, caseworker=self.carol)
        self.assertEqual(case.team, self.team_b)
        self.assertEqual(self.carol.notifications.get().kind, "case.assigned")

    def test_roles_that_do_not_work_with_cases_cannot_open_one(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                open_case(user, self.household)
        self.assertFalse(Case.objects.exists())


@skipUnlessDBFeature("has_select_for_update")
class CaseNumberConcurrencyTests(TransactionTestCase):
    """Two caseworkers opening cases at the same moment never get the same number (PostgreSQL)."""

    def test_concurrent_openings_get_distinct_numbers(self) -> None:
        # The fixed cast, made on this class (a TransactionTestCase has no setUpTestData).
        OilaTestCase.setUpTestData.__func__(type(self))  # type: ignore[attr-defined]
        cast: Any = self
        household, other = cast.household, OilaTestCase.other_team_household(cast)
        errors: list[BaseException] = []

        def run(actor: Any, hh: Any, kind: str) -> None:
            try:
                services.case_open(actor=actor, household=hh, kind=kind, risk="low")
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run, args=(cast.alice, household, "family")),
            threading.Thread(target=run, args=(cast.carol, other, "family")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        numbers = sorted(Case.objects.values_list("number", flat=True))
        self.assertEqual(len(set(numbers)), 2)
