from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from oila.audit.models import AuditEvent
from oila.common.crypto import keyed_hash
from oila.common.errors import ApplicationError
from oila.geo.models import Mahalla
from oila.registry import services
from oila.registry.models import CareArrangement, Consent, Enrolment, Household, Person
from tests.base import OilaTestCase


def counts() -> tuple[int, int, int, int]:
    return (
        Household.objects.count(),
        Person.objects.count(),
        Enrolment.objects.count(),
        AuditEvent.objects.count(),
    )


class HouseholdRegisterTests(OilaTestCase):
    def register(self, **member: object) -> Household:
        data = {"given_name": "Malika", "family_name": "Yusupova", "sex": "female", **member}
        return services.household_register(
            actor=self.alice,
            data={"name": "Yusupovlar", "district": self.urganch, "mahalla": self.mahalla},
            members=[data],
        )

    def test_it_assigns_the_household_to_the_registering_caseworker(self) -> None:
        household = self.register()
        self.assertEqual(household.caseworker, self.alice)
        self.assertEqual(household.team, self.team_a)
        self.assertEqual(household.programme, self.programme)
        person = household.memberships.get().person
        self.assertEqual((person.caseworker, person.team), (self.alice, self.team_a))

    def test_it_folds_member_names_into_the_household_search_key(self) -> None:
        household = self.register(given_name="Шаҳноза", family_name="Каримова")
        self.assertIn("shahnoza karimova", household.search_text)
        self.assertEqual(household.memberships.get().person.name_script, "cyrl")

    def test_it_refuses_an_invalid_pinfl_and_saves_nothing(self) -> None:
        before = counts()
        with self.assertRaises(ValidationError) as ctx:
            self.register(pinfl="12345")
        self.assertIn("members.0.pinfl", ctx.exception.message_dict)
        self.assertEqual(counts(), before)

    def test_it_refuses_a_birth_date_in_the_future(self) -> None:
        before = counts()
        with self.assertRaises(ValidationError):
            self.register(birth_date=dt.date.today() + dt.timedelta(days=3))
        self.assertEqual(counts(), before)

    def test_it_refuses_a_mahalla_outside_the_district(self) -> None:
        other = Mahalla.objects.create(district=self.xiva, name_uz="Ichan qalʼa MFY")
        before = counts()
        with self.assertRaises(ValidationError) as ctx:
            services.household_register(
                actor=self.alice,
                data={"name": "X", "district": self.urganch, "mahalla": other},
                members=[{"given_name": "A", "family_name": "B", "sex": "male"}],
            )
        self.assertIn("mahalla", ctx.exception.message_dict)
        self.assertEqual(counts(), before)

    def test_it_refuses_a_household_without_members(self) -> None:
        with self.assertRaises(ApplicationError):
            services.household_register(
                actor=self.alice, data={"name": "X", "district": self.urganch}, members=[]
            )

    def test_it_refuses_roles_that_do_not_register(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.household_register(
                    actor=user,
                    data={"name": "X", "district": self.urganch},
                    members=[{"given_name": "A", "family_name": "B", "sex": "male"}],
                )

    def test_it_estimates_a_birth_date_from_an_age(self) -> None:
        household = self.register(estimated_age=9)
        person = household.memberships.get().person
        self.assertTrue(person.birth_date_estimated)
        self.assertIn(dt.date.today().year - person.birth_date.year, (9, 10))


class PersonTests(OilaTestCase):
    def test_it_encrypts_the_pinfl_and_finds_it_by_keyed_hash(self) -> None:
        services.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "31405201400012"}
        )
        self.child.refresh_from_db()
        self.assertEqual(self.child.pinfl, "31405201400012")
        self.assertEqual(self.child.pinfl_hash, keyed_hash("31405201400012"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pinfl FROM registry_person WHERE id = %s", [self.child.pk.hex])
            raw = cursor.fetchone()
            if raw is None:  # PostgreSQL stores UUIDs natively
                cursor.execute("SELECT pinfl FROM registry_person WHERE id = %s", [self.child.pk])
                raw = cursor.fetchone()
        self.assertNotIn("31405201400012", raw[0])

    def test_it_keeps_the_pinfl_out_of_the_audit_trail(self) -> None:
        services.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "31405201400012"}
        )
        event = AuditEvent.objects.filter(action="person.update").latest("seq")
        self.assertEqual(event.after["pinfl"], "[encrypted]")

    def test_it_derives_disability_from_the_washington_group_answers(self) -> None:
        services.person_update(actor=self.alice, person=self.child, data={"wg_walking": 2})
        self.assertFalse(self.child.has_disability)
        services.person_update(actor=self.alice, person=self.child, data={"wg_walking": 3})
        self.assertTrue(self.child.has_disability)

    def test_renaming_a_member_updates_the_household_search(self) -> None:
        services.person_update(actor=self.alice, person=self.child, data={"given_name": "Nilufar"})
        self.household.refresh_from_db()
        self.assertIn("nilufar", self.household.search_text)
        self.assertNotIn("shahnoza", self.household.search_text)

    def test_an_unchanged_update_writes_no_event(self) -> None:
        before = AuditEvent.objects.count()
        services.person_update(actor=self.alice, person=self.child, data={"given_name": "Shahnoza"})
        self.assertEqual(AuditEvent.objects.count(), before)


class CareAndConsentTests(OilaTestCase):
    def test_a_new_arrangement_ends_the_previous_one_and_schedules_a_review(self) -> None:
        first = services.care_arrangement_record(
            actor=self.alice,
            person=self.child,
            data={"type": CareArrangement.Type.RESIDENTIAL, "started_on": dt.date(2020, 1, 1)},
        )
        self.assertEqual(first.next_review_on, dt.date(2020, 4, 1))
        second = services.care_arrangement_record(
            actor=self.alice,
            person=self.child,
            data={
                "type": CareArrangement.Type.FAMILY_LIKE,
                "started_on": dt.date(2021, 8, 31),
                "caregiver_household": self.household,
            },
        )
        first.refresh_from_db()
        self.assertEqual(first.ended_on, dt.date(2021, 8, 30))
        self.assertEqual(second.next_review_on, dt.date(2021, 11, 30))

    def test_an_arrangement_cannot_start_before_the_current_one(self) -> None:
        services.care_arrangement_record(
            actor=self.alice,
            person=self.child,
            data={"type": CareArrangement.Type.PARENTAL, "started_on": dt.date(2020, 1, 1)},
        )
        with self.assertRaises(ApplicationError):
            services.care_arrangement_record(
                actor=self.alice,
                person=self.child,
                data={"type": CareArrangement.Type.FOSTER, "started_on": dt.date(2019, 1, 1)},
            )

    def test_consent_is_recorded_and_withdrawn_with_its_history(self) -> None:
        consent = services.consent_record(
            actor=self.alice,
            person=self.child,
            data={
                "purpose": Consent.Purpose.PHOTOS,
                "given_by": Consent.GivenBy.CAREGIVER,
                "given_on": dt.date(2024, 1, 10),
                "child_assent": True,
            },
        )
        self.assertTrue(consent.is_current)
        services.consent_withdraw(
            actor=self.alice, consent=consent, withdrawn_on=dt.date(2024, 6, 1)
        )
        self.assertFalse(Consent.objects.get(pk=consent.pk).is_current)
        with self.assertRaises(ApplicationError):
            services.consent_withdraw(
                actor=self.alice, consent=consent, withdrawn_on=dt.date(2024, 7, 1)
            )


class EnrolmentTests(OilaTestCase):
    def test_it_refuses_a_second_active_enrolment_in_the_same_group(self) -> None:
        with self.assertRaises(ApplicationError):
            services.enrolment_create(
                actor=self.alice,
                programme=self.programme,
                person=self.child,
                group=Enrolment.Group.VULNERABLE_CHILD,
                enrolled_on=dt.date(2024, 1, 1),
            )

    def test_graduating_sets_the_end_date(self) -> None:
        enrolment = self.child.enrolments.get()
        services.enrolment_set_status(
            actor=self.alice,
            enrolment=enrolment,
            status=Enrolment.Status.GRADUATED,
            ended_on=dt.date(2025, 12, 1),
        )
        enrolment.refresh_from_db()
        self.assertEqual(
            (enrolment.status, enrolment.ended_on), ("graduated", dt.date(2025, 12, 1))
        )
