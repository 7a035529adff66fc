"""Closure: a request with a reason and a note, a supervisor's decision, graduation, reopening."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from oila.accounts.models import Notification, Role
from oila.audit.models import AuditEvent
from oila.cases import services
from oila.cases.models import Case
from oila.common.errors import ApplicationError
from oila.registry.models import Enrolment
from tests.base import OilaTestCase, make_user
from tests.cases.factories import child_case, open_case, request_closure


def state(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (case.status, case.step, case.closed_on, case.closure_reason, case.closure_note)


class ClosureRequestTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)

    def test_it_asks_the_teams_supervisors_to_approve(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            request_closure(self.alice, self.case)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSURE_REQUESTED)
        self.assertEqual(self.case.closure_requested_by, self.alice)
        note = Notification.objects.get(user=self.bob)
        self.assertEqual(note.kind, "approval.requested")
        self.assertEqual(note.url, f"/cases/{self.case.pk}/closure/")
        self.assertFalse(Notification.objects.filter(user=self.carol).exists())

    def test_bad_input_is_refused_and_changes_nothing(self) -> None:
        before = state(self.case)
        bad = [
            ({"reason": "", "note": "x", "goals_met": False}, "reason"),
            ({"reason": "bogus", "note": "x", "goals_met": False}, "reason"),
            ({"reason": "refused", "note": "  ", "goals_met": False}, "note"),
            ({"reason": "goals_met", "note": "x", "goals_met": False}, "reason"),
            ({"reason": "transferred", "note": "x", "goals_met": False}, "reason"),
        ]
        for kwargs, field in bad:
            with self.subTest(**kwargs), self.assertRaises(ApplicationError) as caught:
                services.case_closure_request(actor=self.alice, case=self.case, **kwargs)
            self.assertEqual(caught.exception.field, field)
            self.assertEqual(state(self.case), before)
        self.assertFalse(Notification.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="case.closure_request").exists())

    def test_a_closure_is_requested_only_once(self) -> None:
        request_closure(self.alice, self.case)
        with self.assertRaisesMessage(ApplicationError, "already requested"):
            request_closure(self.alice, self.case)


class ClosureDecisionTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)
        request_closure(self.alice, self.case)

    def test_the_supervisor_approves_and_the_case_closes(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSED)
        self.assertEqual(self.case.step, Case.Step.CLOSURE)
        self.assertIsNotNone(self.case.closed_on)
        self.assertEqual(self.case.closure_reason, "goals_met")
        self.assertEqual(Notification.objects.get(user=self.alice).kind, "approval.decided")
        self.assertTrue(AuditEvent.objects.filter(action="case.closure_approve").exists())

    def test_a_family_that_met_its_goals_graduates(self) -> None:
        services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        enrolment = Enrolment.objects.get(person=self.child)
        self.assertEqual(enrolment.status, Enrolment.Status.GRADUATED)
        self.assertEqual(enrolment.ended_on, self.case.closed_on)
        self.assertTrue(self.case.events.filter(kind="case.graduated").exists())

    def test_another_reason_does_not_graduate(self) -> None:
        other = child_case(self.alice, self.household, self.child)
        request_closure(self.alice, other, reason="moved_abroad")
        services.case_closure_decide(actor=self.bob, case=other, approve=True, comment="")
        self.assertEqual(Enrolment.objects.get(person=self.child).status, "active")

    def test_sending_it_back_needs_a_comment_and_reopens_the_request(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            services.case_closure_decide(actor=self.bob, case=self.case, approve=False, comment="")
        self.assertEqual(caught.exception.field, "comment")
        self.assertEqual(state(self.case)[0], Case.Status.CLOSURE_REQUESTED)
        services.case_closure_decide(
            actor=self.bob, case=self.case, approve=False, comment="Visit once more."
        )
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.OPEN)
        self.assertEqual(self.case.closure_reason, "")
        self.assertIsNone(self.case.closure_requested_by)

    def test_only_a_supervisor_of_the_team_or_a_manager_decides(self) -> None:
        other_supervisor = make_user("oscar", Role.SUPERVISOR, team=self.team_b)
        for user in (self.alice, self.carol, other_supervisor, self.dave, self.erin):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.case_closure_decide(actor=user, case=self.case, approve=True, comment="")
        self.assertEqual(state(self.case)[0], Case.Status.CLOSURE_REQUESTED)
        services.case_closure_decide(actor=self.frank, case=self.case, approve=True, comment="")
        self.assertEqual(state(self.case)[0], Case.Status.CLOSED)

    def test_a_supervisor_may_not_approve_their_own_request(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        request_closure(self.bob, case, reason="criteria")
        with self.assertRaisesMessage(ApplicationError, "another supervisor"):
            services.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")
        self.assertEqual(state(case)[0], Case.Status.CLOSURE_REQUESTED)

    def test_a_programme_may_allow_self_approval(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        request_closure(self.bob, case, reason="criteria")
        case.programme.settings = {"allow_self_approval": True}
        services.case_closure_decide(actor=self.bob, case=case, approve=True, comment="")
        self.assertEqual(state(case)[0], Case.Status.CLOSED)

    def test_it_decides_only_a_requested_closure(self) -> None:
        services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        with self.assertRaisesMessage(ApplicationError, "No closure is waiting"):
            services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")

    @override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    def test_the_decision_is_emailed_when_the_caseworker_has_an_address(self) -> None:
        self.alice.email = "alice@example.org"
        self.alice.save(update_fields=["email"])
        with self.captureOnCommitCallbacks(execute=True):
            services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertIn(self.case.number, mail.outbox[0].body)


class ReopenTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)
        request_closure(self.alice, self.case, reason="refused")
        services.case_closure_decide(actor=self.bob, case=self.case, approve=True, comment="")

    def test_it_reopens_with_a_reason(self) -> None:
        services.case_reopen(actor=self.alice, case=self.case, reason="The family asked again.")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.OPEN)
        self.assertIsNone(self.case.closed_on)
        self.assertEqual(self.case.closure_reason, "")
        self.assertEqual(self.case.step, Case.Step.IDENTIFICATION)
        self.assertIsNotNone(self.case.visit_due_on)
        self.assertTrue(self.case.events.filter(kind="case.reopen").exists())

    def test_it_needs_a_reason_and_a_closed_case(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            services.case_reopen(actor=self.alice, case=self.case, reason=" ")
        self.assertEqual(caught.exception.field, "reason")
        self.assertEqual(state(self.case)[0], Case.Status.CLOSED)
        services.case_reopen(actor=self.alice, case=self.case, reason="Back.")
        with self.assertRaisesMessage(ApplicationError, "open"):
            services.case_reopen(actor=self.alice, case=self.case, reason="Again.")

    def test_a_closed_case_takes_no_visit(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "closed"):
            services.visit_record(
                actor=self.alice, case=self.case, on=dt.date.today(), kind="home", narrative="x"
            )
        self.assertFalse(self.case.visits.exists())
