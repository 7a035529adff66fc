"""Reassignment by a supervisor (with a reason) and transfer to another agency (with consent)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied

from oila.accounts.models import Notification, Programme, Role, Team
from oila.cases import services
from oila.cases.models import Case
from oila.common.errors import ApplicationError
from oila.registry import services as registry
from oila.registry.models import Enrolment, Person
from tests.base import OilaTestCase, make_user
from tests.cases.factories import child_case, open_case, sharing_consent


class ReassignTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)

    def test_a_supervisor_gives_the_case_to_another_caseworker(self) -> None:
        services.case_reassign(
            actor=self.bob, case=self.case, caseworker=self.carol, reason="Caseload."
        )
        self.case.refresh_from_db()
        self.assertEqual((self.case.caseworker, self.case.team), (self.carol, self.team_b))
        note = Notification.objects.get(user=self.carol)
        self.assertEqual(note.kind, "case.reassigned")
        self.assertEqual(note.url, self.case.get_absolute_url())
        event = self.case.events.get(kind="case.reassign")
        self.assertIn("Caseload.", event.summary)

    def test_the_family_and_its_members_follow_a_family_case(self) -> None:
        services.case_reassign(
            actor=self.bob, case=self.case, caseworker=self.carol, reason="Moved district."
        )
        self.household.refresh_from_db()
        self.assertEqual(self.household.caseworker, self.carol)
        owners = set(Person.objects.filter(memberships__household=self.household)
                     .values_list("caseworker", "team"))  # fmt: skip
        self.assertEqual(owners, {(self.carol.pk, self.team_b.pk)})

    def test_a_reason_and_a_caseworker_of_the_programme_are_needed(self) -> None:
        other_programme = Programme.objects.create(
            name="Other", slug="other", organisation=self.ngo, starts_on=dt.date(2020, 1, 1)
        )
        outsider = make_user(
            "otto", Role.CASEWORKER, team=Team.objects.create(programme=other_programme, name="T")
        )
        for caseworker, reason, field in (
            (self.carol, "  ", "reason"),
            (outsider, "x", "caseworker"),
            (self.bob, "x", "caseworker"),
            (self.alice, "x", "caseworker"),
        ):
            with self.subTest(caseworker=caseworker.username, reason=reason):
                with self.assertRaises(ApplicationError) as caught:
                    services.case_reassign(
                        actor=self.bob, case=self.case, caseworker=caseworker, reason=reason
                    )
                self.assertEqual(caught.exception.field, field)
        self.case.refresh_from_db()
        self.assertEqual(self.case.caseworker, self.alice)
        self.assertFalse(Notification.objects.exists())

    def test_only_the_teams_supervisor_reassigns(self) -> None:
        for user in (self.alice, self.carol, self.dave):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.case_reassign(
                    actor=user, case=self.case, caseworker=self.carol, reason="x"
                )
        self.case.refresh_from_db()
        self.assertEqual(self.case.caseworker, self.alice)


class TransferTests(OilaTestCase):
    def test_a_child_case_needs_the_childs_sharing_consent(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        with self.assertRaises(ApplicationError) as caught:
            services.case_transfer(
                actor=self.bob, case=case, organisation=self.partner_org, reason="Specialist help."
            )
        self.assertIn("Shahnoza Karimova", str(caught.exception.message))
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.OPEN)
        sharing_consent(self.alice, self.child)
        services.case_transfer(
            actor=self.bob, case=case, organisation=self.partner_org, reason="Specialist help."
        )
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.TRANSFERRED)
        self.assertEqual(case.transferred_to, self.partner_org)
        self.assertEqual(case.closure_reason, "transferred")
        self.assertEqual(Enrolment.objects.get(person=self.child).status, "transferred")

    def test_a_family_case_needs_an_adult_caregivers_consent(self) -> None:
        case = open_case(self.alice, self.household)
        sharing_consent(self.alice, self.child)  # a child's consent does not speak for the family
        with self.assertRaisesMessage(ApplicationError, "Karimovlar"):
            services.case_transfer(
                actor=self.bob, case=case, organisation=self.partner_org, reason="x"
            )
        head = self.household.memberships.get(relationship="head").person
        consent = sharing_consent(self.alice, head)
        registry.consent_withdraw(actor=self.alice, consent=consent, withdrawn_on=dt.date.today())
        with self.assertRaises(ApplicationError):
            services.case_transfer(
                actor=self.bob, case=case, organisation=self.partner_org, reason="x"
            )
        sharing_consent(self.alice, head)
        services.case_transfer(actor=self.bob, case=case, organisation=self.partner_org, reason="x")
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.TRANSFERRED)

    def test_it_is_not_for_caseworkers_nor_to_the_programmes_own_organisation(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        sharing_consent(self.alice, self.child)
        with self.assertRaises(PermissionDenied):
            services.case_transfer(
                actor=self.alice, case=case, organisation=self.partner_org, reason="x"
            )
        with self.assertRaises(ApplicationError):
            services.case_transfer(actor=self.bob, case=case, organisation=self.ngo, reason="x")
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.OPEN)
