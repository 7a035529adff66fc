"""Referrals: consent or an audited override, agencies that offer the service, the answers, the case
timeline and the plan action they fulfil."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from oila.accounts.models import Notification
from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.plans.models import Action
from oila.registry import services as registry
from oila.support import services
from oila.support.models import Referral
from tests.cases.factories import open_case, sharing_consent
from tests.plans.factories import action as plan_action
from tests.plans.factories import approved
from tests.support.base import SupportTestCase
from tests.support.factories import refer


class ReferralConsentTests(SupportTestCase):
    def test_it_refuses_a_referral_without_consent_and_says_why(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.assertEqual(caught.exception.field, "consent")
        self.assertIn("No current consent to share information about Shahnoza Karimova",
                      str(caught.exception.message))  # fmt: skip
        # A caseworker is not offered the override.
        self.assertNotIn("override", str(caught.exception.message))
        self.assertFalse(Referral.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="referral.").exists())

    def test_it_refuses_an_override_by_a_caseworker(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            refer(self.alice, self.case, self.tutoring, self.partner_org,
                  override_reason="She is at risk tonight.")  # fmt: skip
        self.assertEqual(caught.exception.field, "override_reason")
        self.assertIn("only a supervisor or a programme manager", str(caught.exception.message))
        self.assertFalse(Referral.objects.exists())

    def test_a_supervisor_overrides_with_a_reason_and_it_is_audited(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            refer(self.bob, self.case, self.tutoring, self.partner_org)
        self.assertIn("giving the reason for the override", str(caught.exception.message))
        referral = refer(self.bob, self.case, self.tutoring, self.partner_org,
                         override_reason="Her mother cannot be reached; exams start Monday.")  # fmt: skip
        self.assertIsNone(referral.consent)
        self.assertEqual(referral.override_by, self.bob)
        event = AuditEvent.objects.get(action="referral.consent_override")
        self.assertEqual(event.actor_id, self.bob.pk)
        self.assertEqual(event.target_id, str(referral.pk))
        self.assertEqual(event.note, "Her mother cannot be reached; exams start Monday.")
        self.assertTrue(self.case.events.filter(kind="support.consent_override").exists())

    def test_the_manager_may_override_too(self) -> None:
        referral = refer(self.frank, self.case, self.tutoring, self.partner_org,
                         override_reason="Court order.")  # fmt: skip
        self.assertEqual(referral.override_by, self.frank)

    def test_it_uses_the_persons_current_consent(self) -> None:
        consent = sharing_consent(self.alice, self.child)
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org,
                         override_reason="ignored when there is consent")  # fmt: skip
        self.assertEqual(referral.consent, consent)
        self.assertEqual(referral.override_reason, "")
        self.assertFalse(AuditEvent.objects.filter(action="referral.consent_override").exists())

    def test_a_withdrawn_consent_does_not_count(self) -> None:
        consent = sharing_consent(self.alice, self.child)
        registry.consent_withdraw(actor=self.alice, consent=consent, withdrawn_on=today())
        with self.assertRaises(ApplicationError):
            refer(self.alice, self.case, self.tutoring, self.partner_org)

    def test_a_household_referral_needs_an_adult_members_consent(self) -> None:
        case = open_case(self.alice, self.household)
        sharing_consent(self.alice, self.child)  # a child's consent does not speak for the family
        with self.assertRaises(ApplicationError) as caught:
            refer(self.alice, case, self.tutoring, self.partner_org, household=self.household)
        self.assertIn("adult member of the Karimovlar household", str(caught.exception.message))
        consent = sharing_consent(self.alice, self.father)
        referral = refer(
            self.alice, case, self.tutoring, self.partner_org, household=self.household
        )
        self.assertEqual(referral.consent, consent)


class ReferralRulesTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        sharing_consent(self.alice, self.child)

    def test_it_refuses_an_agency_that_does_not_offer_the_service(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            refer(self.alice, self.case, self.checkup, self.partner_org)
        self.assertEqual(caught.exception.field, "to_organisation")
        self.assertIn("School 12 does not offer Medical check-up", str(caught.exception.message))
        self.assertFalse(Referral.objects.exists())

    def test_it_refuses_someone_the_case_is_not_about(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            refer(self.alice, self.case, self.tutoring, self.partner_org, person=self.father)
        self.assertEqual(caught.exception.field, "referred")

    def test_the_answer_is_due_after_the_programmes_days_for_the_urgency(self) -> None:
        for urgency, days in (("high", 1), ("normal", 7), ("low", 14)):
            with self.subTest(urgency=urgency):
                referral = refer(self.alice, self.case, self.tutoring, self.partner_org,
                                 urgency=urgency)  # fmt: skip
                self.assertEqual(referral.response_due_on, today() + dt.timedelta(days=days))
        self.programme.settings = {"referral_response_days": {"high": 2, "normal": 5, "low": 10}}
        self.programme.save()
        self.case.refresh_from_db()
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org, urgency="high")
        self.assertEqual(referral.response_due_on, today() + dt.timedelta(days=2))

    def test_roles_that_do_not_work_with_cases_cannot_refer(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                refer(user, self.case, self.tutoring, self.partner_org)

    def test_it_tells_the_agencys_focal_points_and_writes_the_timeline(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org, urgency="high")
        note = Notification.objects.get(user=self.dave)
        self.assertEqual(note.kind, "referral.new")
        self.assertEqual(note.url, reverse("support:partner-referral", args=[referral.pk]))
        self.assertNotIn("Shahnoza", note.text)  # notifications may be emailed: no names
        self.assertFalse(Notification.objects.filter(user=self.hana).exists())
        event = self.case.events.get(kind="support.referral")
        self.assertEqual(
            event.message, "Referred to %(organisation)s for %(service)s (high urgency)."
        )
        self.assertEqual(event.params["organisation"], "School 12")

    def test_it_flags_an_unanswered_referral_as_overdue(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org, urgency="high")
        self.assertFalse(referral.is_overdue)
        Referral.objects.filter(pk=referral.pk).update(
            response_due_on=today() - dt.timedelta(days=1)
        )
        referral.refresh_from_db()
        self.assertTrue(referral.is_overdue)
        services.referral_accept(actor=self.dave, referral=referral)
        self.assertFalse(referral.is_overdue)


class ReferralAnswerTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        sharing_consent(self.alice, self.child)
        self.plan = approved(self.alice, self.bob, self.case, goals=[{
            "text": "Shahnoza catches up at school",
            "actions": [plan_action(self.alice, description="Tutoring at School 12",
                                    responsible_organisation=self.partner_org)],
        }])  # fmt: skip
        self.action = Action.objects.get(goal__plan=self.plan)

    def test_accepting_and_completing_shows_on_the_timeline_and_marks_the_plan_action_done(
        self,
    ) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org,
                         plan_action=self.action)  # fmt: skip
        services.referral_accept(actor=self.dave, referral=referral)
        self.assertEqual(
            Notification.objects.filter(user=self.alice, kind="referral.accepted").count(), 1
        )
        services.referral_report(actor=self.dave, referral=referral, completed=True,
                                 feedback="Twelve tutoring sessions; she passed maths.")  # fmt: skip
        referral.refresh_from_db()
        self.assertEqual(referral.status, "completed")
        self.assertEqual(referral.feedback, "Twelve tutoring sessions; she passed maths.")
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, "done")
        kinds = list(self.case.events.values_list("kind", flat=True))
        for kind in ("support.referral", "support.referral_accepted", "support.referral_completed",
                     "plan.action_status"):  # fmt: skip
            self.assertIn(kind, kinds)
        for action in ("referral.create", "referral.accepted", "referral.completed",
                       "plan.action_status"):  # fmt: skip
            self.assertTrue(AuditEvent.objects.filter(action=action).exists(), action)

    def test_not_completed_leaves_the_plan_action_open(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org,
                         plan_action=self.action)  # fmt: skip
        services.referral_accept(actor=self.dave, referral=referral)
        services.referral_report(actor=self.dave, referral=referral, completed=False,
                                 feedback="The family moved away.")  # fmt: skip
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, "planned")

    def test_a_plan_action_must_be_the_agencys(self) -> None:
        self.action.responsible_organisation = self.health_org
        with self.assertRaises(ApplicationError) as caught:
            refer(self.alice, self.case, self.tutoring, self.partner_org, plan_action=self.action)
        self.assertEqual(caught.exception.field, "plan_action")

    def test_declining_needs_a_reason_and_tells_the_caseworker(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertRaises(ApplicationError):
            services.referral_decline(actor=self.dave, referral=referral, reason=" ")
        services.referral_decline(actor=self.dave, referral=referral, reason="No tutor free.")
        referral.refresh_from_db()
        self.assertEqual((referral.status, referral.decline_reason), ("declined", "No tutor free."))
        self.assertTrue(
            Notification.objects.filter(user=self.alice, kind="referral.declined").exists()
        )
        self.assertTrue(self.case.events.filter(kind="support.referral_declined").exists())

    def test_it_cannot_be_answered_twice_or_reported_before_it_is_accepted(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertRaises(ApplicationError):
            services.referral_report(
                actor=self.dave, referral=referral, completed=True, feedback="x"
            )
        services.referral_accept(actor=self.dave, referral=referral)
        with self.assertRaises(ApplicationError):
            services.referral_decline(actor=self.dave, referral=referral, reason="Changed our mind")
        with self.assertRaises(ApplicationError):
            services.referral_accept(actor=self.dave, referral=referral)

    def test_another_agencys_focal_point_cannot_answer(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertRaises(PermissionDenied):
            services.referral_accept(actor=self.hana, referral=referral)
        referral.refresh_from_db()
        self.assertEqual(referral.status, "sent")

    def test_the_caseworker_may_record_the_agencys_answer(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org,
                         plan_action=self.action)  # fmt: skip
        services.referral_accept(actor=self.alice, referral=referral)
        services.referral_report(actor=self.alice, referral=referral, completed=True,
                                 feedback="The school confirmed by phone.")  # fmt: skip
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, "done")
        # Nobody tells alice what she did herself.
        self.assertFalse(
            Notification.objects.filter(user=self.alice, kind__startswith="referral.").exists()
        )


class ReferralPageTests(SupportTestCase):
    def setUp(self) -> None:
        super().setUp()
        sharing_consent(self.alice, self.child)

    def post_referral(self, user, **data):  # type: ignore[no-untyped-def]
        self.login(user)
        body = {"referred": f"person:{self.child.pk}", "service_type": self.tutoring.pk,
                "to_organisation": self.partner_org.pk, "urgency": "normal",
                "reason": "Falling behind.", **data}  # fmt: skip
        return self.client.post(reverse("support:referral-new", args=[self.case.pk]), body)

    def test_alice_refers_from_the_case_and_sees_it_on_the_case(self) -> None:
        response = self.post_referral(self.alice)
        referral = Referral.objects.get()
        self.assertRedirects(response, referral.get_absolute_url())
        page = self.client.get(reverse("support:case-support", args=[self.case.pk]))
        self.assertContains(page, "Tutoring → School 12")
        self.assertContains(page, referral.get_absolute_url())

    def test_an_agency_that_does_not_offer_the_service_is_a_clear_error(self) -> None:
        response = self.post_referral(self.alice, service_type=self.checkup.pk)
        self.assertContains(response, "School 12 does not offer Medical check-up", status_code=422)
        self.assertFalse(Referral.objects.exists())

    def test_the_supervisor_is_offered_the_override(self) -> None:
        self.login(self.bob)
        self.assertContains(self.client.get(reverse("support:referral-new", args=[self.case.pk])),
                            "override_reason")  # fmt: skip

    def test_other_teams_and_other_roles_get_404(self) -> None:
        for user in (self.carol, self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                response = self.post_referral(user)
                self.assertEqual(response.status_code, 404)
        self.assertFalse(Referral.objects.exists())

    def test_the_detail_page_is_audited_and_hidden_from_other_teams(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.login(self.alice)
        response = self.client.get(referral.get_absolute_url())
        self.assertContains(response, "Falling behind at school")
        self.assertEqual(AuditEvent.objects.filter(action="referral.view").count(), 1)
        for user in (self.carol, self.dave, self.erin):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(referral.get_absolute_url()).status_code, 404)

    def test_the_list_flags_overdue_answers_and_its_query_count_is_fixed(self) -> None:
        late = refer(self.alice, self.case, self.tutoring, self.partner_org)
        Referral.objects.filter(pk=late.pk).update(response_due_on=today() - dt.timedelta(days=3))
        self.login(self.alice)
        url = reverse("support:referrals")
        # session, user+team+programme+bell (visibility), count, one page of referrals
        with self.assertNumQueries(4):
            response = self.client.get(url)
        self.assertContains(response, "answer overdue")
        for _i in range(5):
            refer(self.alice, self.case, self.tutoring, self.partner_org)
        with self.assertNumQueries(4):
            response = self.client.get(url, {"overdue": "on"})
        self.assertEqual([r.pk for r in response.context["page"].object_list], [late.pk])
        self.login(self.carol)
        self.assertEqual(self.client.get(url).context["page"].paginator.count, 0)

    def test_alice_records_the_agencys_answer_on_its_behalf(self) -> None:
        referral = refer(self.alice, self.case, self.tutoring, self.partner_org)
        self.login(self.alice)
        response = self.client.post(
            reverse("support:referral-decline", args=[referral.pk]), {"reason": ""}
        )
        self.assertEqual(response.status_code, 422)
        self.client.post(reverse("support:referral-accept", args=[referral.pk]))
        referral.refresh_from_db()
        self.assertEqual(referral.status, "accepted")
        self.client.post(reverse("support:referral-report", args=[referral.pk]),
                         {"outcome": "completed", "feedback": "Done."})  # fmt: skip
        referral.refresh_from_db()
        self.assertEqual(referral.status, "completed")


class ReferralPageWithoutConsentTests(SupportTestCase):
    def test_without_consent_the_page_says_why_and_saves_nothing(self) -> None:
        other = open_case(self.alice, self.household)
        sharing_consent(self.alice, self.child)  # the child's: not enough for the whole household
        self.login(self.alice)
        url = reverse("support:referral-new", args=[other.pk])
        form = self.client.get(url)
        self.assertContains(form, "Shahnoza Karimova")  # the consents there are, listed
        self.assertNotContains(form, "override_reason")
        response = self.client.post(url, {"referred": "household", "service_type": self.tutoring.pk,
                                          "to_organisation": self.partner_org.pk,
                                          "urgency": "low", "reason": "x"})  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertContains(
            response, "No current consent to share information from an adult", status_code=422
        )
        self.assertFalse(Referral.objects.exists())

    def test_the_form_warns_when_no_consent_is_recorded(self) -> None:
        self.login(self.alice)
        form = self.client.get(reverse("support:referral-new", args=[self.case.pk]))
        self.assertContains(form, "No current consent to share information is recorded")
