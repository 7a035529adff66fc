"""Recording services: individual and group sessions, enrolment of everyone on the list, plan
actions, the case timeline, and a fixed number of queries whatever the size of the group."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.plans.models import Action
from oila.registry import services as registry
from oila.support import services
from oila.support.models import DeliveryAttendance, ServiceDelivery
from tests.base import with_audit
from tests.plans.factories import approved
from tests.support.base import SupportTestCase
from tests.support.factories import individual

NEW = reverse("support:delivery-new")


def children(actor: Any, count: int, district: Any, name: str = "Oila") -> list[Any]:
    """`count` enrolled children in households of five, registered by `actor`."""
    people = []
    for start in range(0, count, 5):
        household = registry.household_register(
            actor=actor,
            data={"name": f"{name} {start}", "district": district},
            members=[
                {"given_name": f"Bola{start + i}", "family_name": f"{name}ov", "sex": "male",
                 "relationship": "child", "group": "vulnerable_child"}
                for i in range(min(5, count - start))
            ],
        )  # fmt: skip
        people += [m.person for m in household.memberships.select_related("person")]
    return people


class DeliveryTestCase(SupportTestCase):
    def outsider(self) -> Any:
        """Someone alice registered who is enrolled in nothing (nor is anyone in his family)."""
        return registry.household_register(
            actor=self.alice, data={"name": "Rahimovlar", "district": self.urganch},
            members=[{"given_name": "Jasur", "family_name": "Rahimov", "sex": "male",
                      "relationship": "head"}],
        ).memberships.get().person  # fmt: skip


class DeliveryRecordTests(DeliveryTestCase):
    def group(self, attended: list[Any], **kwargs: Any) -> ServiceDelivery:
        kwargs.setdefault("provider_user", self.alice)
        return services.delivery_record(
            actor=self.alice, service_type=self.group_type, kind="group", delivered_on=today(),
            attended=attended, duration_minutes=90, **kwargs,
        )  # fmt: skip

    def test_it_records_an_individual_service_on_a_case_with_a_timeline_line(self) -> None:
        delivery = individual(self.alice, self.tutoring, self.child, case=self.case, cost_uzs=50_000,
                              notes="Reading practice.")  # fmt: skip
        self.assertEqual(delivery.kind, "individual")
        self.assertEqual([a.person_id for a in delivery.attendances.all()], [self.child.pk])
        self.assertEqual((delivery.programme_id, delivery.caseworker_id),
                         (self.case.programme_id, self.alice.pk))  # fmt: skip
        event = self.case.events.get(kind="support.delivery")
        self.assertEqual(event.params["service"], self.tutoring.name_in(settings.LANGUAGE_CODE))
        self.assertNotIn("Reading", str(event.params))  # notes stay off the timeline
        self.assertTrue(AuditEvent.objects.filter(action="delivery.record").exists())

    def test_it_marks_the_linked_plan_action_done(self) -> None:
        plan = approved(self.alice, self.bob, self.case)
        action = Action.objects.get(goal__plan=plan)
        individual(self.alice, self.tutoring, self.child, case=self.case, plan_action=action)
        action.refresh_from_db()
        self.assertEqual(action.status, "done")
        self.assertTrue(self.case.events.filter(kind="plan.action_status").exists())

    def test_it_records_a_group_session_of_thirty_in_a_fixed_number_of_queries(self) -> None:
        kids = children(self.alice, 35, self.urganch)
        self.group(kids[:1])  # warm the caches the first request of a process fills
        # the transaction (savepoint, release), the attendance check (one query for everyone),
        # the delivery, the attendance rows (one insert), the audit event (savepoint, last event,
        # insert, release); alice's team and programme are loaded already
        with self.assertNumQueries(with_audit(9)):
            self.group(kids[:5])
        with self.assertNumQueries(with_audit(9)):
            delivery = self.group(kids[5:35])
        self.assertEqual(delivery.attendances.filter(attended=True).count(), 30)

    def test_it_refuses_someone_not_enrolled_saying_who_and_saves_nothing(self) -> None:
        kids = children(self.alice, 5, self.urganch)
        outsider = self.outsider()
        with self.assertRaises(ApplicationError) as caught:
            self.group([*kids, outsider])
        self.assertEqual(caught.exception.field, "attendees")
        self.assertIn("Not enrolled in the programme: Jasur Rahimov", str(caught.exception.message))
        self.assertFalse(ServiceDelivery.objects.exists())
        self.assertFalse(DeliveryAttendance.objects.exists())

    def test_an_ended_enrolment_does_not_count(self) -> None:
        enrolment = self.child.enrolments.get()
        registry.enrolment_set_status(actor=self.alice, enrolment=enrolment, status="exited")
        with self.assertRaises(ApplicationError):
            self.group([self.child])

    def test_a_parent_of_an_enrolled_child_counts_as_enrolled(self) -> None:
        delivery = services.delivery_record(
            actor=self.alice, service_type=self.types["parenting_skills"], kind="group",
            delivered_on=today(), attended=[self.father], absent=[self.child], quantity=1,
            provider_user=self.alice,
        )  # fmt: skip
        self.assertEqual(
            {(a.person_id, a.attended) for a in delivery.attendances.all()},
            {(self.father.pk, True), (self.child.pk, False)},
        )

    def test_it_refuses_someone_the_user_may_not_see(self) -> None:
        other = self.other_team_household().memberships.get().person
        with self.assertRaises(ApplicationError) as caught:
            self.group([self.child, other])
        self.assertIn("not a person you may record services for", str(caught.exception.message))
        self.assertFalse(ServiceDelivery.objects.exists())

    def test_it_refuses_a_group_session_of_a_service_not_given_in_groups(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            services.delivery_record(actor=self.alice, service_type=self.checkup, kind="group",
                                     delivered_on=today(), attended=[self.child],
                                     duration_minutes=30, provider_user=self.alice)  # fmt: skip
        self.assertEqual(caught.exception.field, "kind")

    def test_an_agency_that_provided_it_must_offer_the_service(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            individual(self.alice, self.checkup, self.child, provider_organisation=self.partner_org)
        self.assertIn("School 12 does not offer Medical check-up", str(caught.exception.message))
        delivery = individual(self.alice, self.tutoring, self.child,
                              provider_organisation=self.partner_org)  # fmt: skip
        self.assertEqual(delivery.provider, self.partner_org)

    def test_an_individual_session_on_a_case_is_for_one_of_its_people(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            individual(self.alice, self.tutoring, self.father, case=self.case)
        self.assertIn("not one of the people this case is about", str(caught.exception.message))

    def test_bad_dates_and_amounts_are_refused(self) -> None:
        with self.assertRaises(ApplicationError):
            individual(
                self.alice,
                self.tutoring,
                self.child,
                delivered_on=today().replace(year=today().year + 1),
            )
        with self.assertRaises(ApplicationError):
            individual(self.alice, self.tutoring, self.child, duration_minutes=None)
        self.assertFalse(ServiceDelivery.objects.exists())

    def test_roles_that_do_not_work_with_cases_cannot_record(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.delivery_record(actor=user, service_type=self.tutoring, kind="individual",
                                         delivered_on=today(), attended=[self.child],
                                         duration_minutes=30, provider_user=self.alice)  # fmt: skip


class DeliveryPageTests(DeliveryTestCase):
    def post_group(self, people: list[Any], **data: Any) -> Any:
        body = {"service_type": self.group_type.pk, "delivered_on": today().isoformat(),
                "provider": f"user:{self.alice.pk}", "duration_minutes": "90",
                "attendees": [str(p.pk) for p in people], **data}  # fmt: skip
        return self.client.post(f"{NEW}?kind=group", body)

    def test_the_group_form_lists_the_enrolled_people_to_tick(self) -> None:
        kids = children(self.alice, 5, self.urganch)
        outsider = self.outsider()
        self.login(self.alice)
        response = self.client.get(NEW, {"kind": "group"})
        # Shahnoza's father is not enrolled himself, but is served as the family of an enrolled child.
        for person in [self.child, self.father, *kids]:
            self.assertContains(response, f'value="{person.pk}"')
        self.assertNotContains(response, f'value="{outsider.pk}"')

        def ticks(**narrowing: Any) -> int:
            return self.client.get(NEW, {"kind": "group", **narrowing}).content.count(b'"checkbox"')

        self.assertEqual(ticks(q="Shahnoza"), 1)
        self.assertEqual(ticks(mahalla=self.mahalla.pk), 2)  # the Karimovs live in Navroʻz MFY
        self.assertEqual(ticks(mahalla="not-an-id"), 7)

    def test_thirty_attendees_are_recorded_in_one_post_with_a_fixed_number_of_queries(self) -> None:
        kids = children(self.alice, 35, self.urganch)
        self.login(self.alice)
        self.post_group(kids[:1])
        # session, user+team+programme+bell (the service's rules and visibility), the
        # user's programmes, the service type, the provider, then the nine queries counted in
        # DeliveryRecordTests, whatever the number of attendees
        with self.assertNumQueries(with_audit(14)):
            self.post_group(kids[1:6])
        with self.assertNumQueries(with_audit(14)):
            response = self.post_group(kids[6:36])
        delivery = ServiceDelivery.objects.order_by("-created_at").first()
        assert delivery is not None
        self.assertRedirects(response, delivery.get_absolute_url())
        self.assertEqual(delivery.attendances.count(), 29)

    def test_a_list_naming_someone_not_enrolled_is_a_clear_message_and_saves_nothing(self) -> None:
        self.login(self.alice)
        response = self.post_group([self.child, self.outsider()])
        self.assertContains(
            response, "Not enrolled in the programme: Jasur Rahimov", status_code=422
        )
        self.assertContains(response, "Nothing was saved", status_code=422)
        self.assertFalse(ServiceDelivery.objects.exists())

    def test_an_individual_service_from_the_case_page(self) -> None:
        self.login(self.alice)
        url = reverse("support:case-delivery-new", args=[self.case.pk])
        form = self.client.get(url)
        self.assertContains(form, f'value="{self.child.pk}"')
        response = self.client.post(url, {
            "service_type": self.tutoring.pk, "delivered_on": today().isoformat(),
            "provider": f"org:{self.partner_org.pk}", "quantity": "2",
            "attendees": str(self.child.pk),
        })  # fmt: skip
        delivery = ServiceDelivery.objects.get()
        self.assertRedirects(response, delivery.get_absolute_url())
        self.assertEqual((delivery.case, delivery.provider), (self.case, self.partner_org))
        panel = self.client.get(reverse("support:case-support", args=[self.case.pk]))
        self.assertContains(panel, delivery.get_absolute_url())

    def test_the_list_and_detail_are_scoped_and_the_detail_is_audited(self) -> None:
        delivery = individual(self.alice, self.tutoring, self.child, case=self.case)
        self.login(self.alice)
        url = reverse("support:deliveries")
        # session, user+team+programme+bell (visibility), count, one page
        with self.assertNumQueries(4):
            response = self.client.get(url)
        self.assertEqual(list(response.context["page"].object_list), [delivery])
        for _i in range(4):
            individual(self.alice, self.tutoring, self.child, case=self.case)
        with self.assertNumQueries(4):
            self.client.get(url)
        self.assertContains(self.client.get(delivery.get_absolute_url()), "Shahnoza Karimova")
        self.assertEqual(AuditEvent.objects.filter(action="delivery.view").count(), 1)
        self.login(self.carol)
        self.assertEqual(self.client.get(url).context["page"].paginator.count, 0)
        self.assertEqual(self.client.get(delivery.get_absolute_url()).status_code, 404)
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.get(NEW).status_code, 404)
                self.assertEqual(self.client.get(delivery.get_absolute_url()).status_code, 404)
