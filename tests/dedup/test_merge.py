"""Merging two people's records: every row moves (generically), clashes are handled, undo restores."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.exceptions import PermissionDenied

from oila.audit.models import AuditEvent
from oila.common.errors import ApplicationError
from oila.dedup import services as dedup
from oila.dedup.models import DuplicateCandidate, Merge
from oila.registry import selectors
from oila.registry import services as registry
from oila.registry.models import CareArrangement, Consent, Enrolment, Membership, Person
from tests.base import OilaTestCase


class MergeTests(OilaTestCase):
    def setUp(self) -> None:
        # The same girl registered again, in Cyrillic, in another household of alice's; her mother's
        # household lists her too (a clash: one current membership per household and person).
        self.other_household = registry.household_register(
            actor=self.alice,
            data={"name": "Каримовлар", "district": self.urganch},
            members=[
                {"given_name": "Шаҳноза", "family_name": "Каримова", "sex": "female",
                 "birth_date": dt.date(2014, 5, 20), "relationship": "child",
                 "group": "vulnerable_child"},
            ],
        )  # fmt: skip
        self.duplicate = self.other_household.memberships.get().person
        registry.membership_add(
            actor=self.alice,
            household=self.household,
            person=self.duplicate,
            relationship="child",
            started_on=dt.date(2024, 1, 1),
        )
        self.consent = registry.consent_record(
            actor=self.alice,
            person=self.duplicate,
            data={"purpose": "photos", "given_by": "caregiver", "given_on": dt.date(2024, 1, 2)},
        )
        self.care = registry.care_arrangement_record(
            actor=self.alice,
            person=self.duplicate,
            data={"type": "parental", "started_on": dt.date(2024, 1, 1)},
        )
        self.candidate = DuplicateCandidate.objects.create(
            person_a=min(self.child, self.duplicate, key=lambda p: str(p.pk)),
            person_b=max(self.child, self.duplicate, key=lambda p: str(p.pk)),
            score=0.99,
            source="scan",
        )

    def merge(self) -> Merge:
        return dedup.person_merge(
            actor=self.bob, survivor=self.child, merged=self.duplicate, candidate=self.candidate
        )

    def test_it_moves_every_row_to_the_survivor_and_leaves_a_redirect(self) -> None:
        merge = self.merge()
        self.duplicate.refresh_from_db()
        self.assertEqual(self.duplicate.merged_into, self.child)
        self.assertEqual(Consent.objects.get(pk=self.consent.pk).person, self.child)
        self.assertEqual(CareArrangement.objects.get(pk=self.care.pk).person, self.child)
        self.assertTrue(self.other_household.memberships.filter(person=self.child).exists())
        self.assertEqual(merge.moved["registry.consent.person"], [str(self.consent.pk)])
        self.candidate.refresh_from_db()
        self.assertEqual(self.candidate.status, DuplicateCandidate.Status.MERGED)
        event = AuditEvent.objects.filter(action="dedup.merge").get()
        self.assertEqual(event.after["merged"], str(self.duplicate.pk))

    def test_it_ends_a_clashing_membership_and_leaves_a_clashing_enrolment(self) -> None:
        merge = self.merge()
        # Both were current members of the mother's household: the duplicate's membership ends.
        current = Membership.objects.filter(household=self.household, ended_on__isnull=True)
        self.assertEqual([m.person for m in current.filter(relationship="child")], [self.child])
        # Both were enrolled as vulnerable children: the duplicate's enrolment stays with it.
        enrolments = Enrolment.objects.filter(group="vulnerable_child", status="active")
        self.assertEqual(enrolments.filter(person=self.child).count(), 1)
        self.assertEqual(enrolments.filter(person=self.duplicate).count(), 1)
        actions = sorted(k["action"] for k in merge.kept)
        self.assertEqual(actions, ["ended", "left"])
        # …and the programme's figures count the girl once.
        stats = selectors.programme_stats(programme=self.programme)
        self.assertEqual(stats["enrolled"]["vulnerable_child"]["female"], 1)

    def test_it_moves_rows_of_apps_above_it_without_knowing_them(self) -> None:
        from oila.cases import services as cases

        case = cases.case_open(
            actor=self.alice, household=self.other_household, kind="child", risk="low",
            subject=self.duplicate,
        )  # fmt: skip
        self.merge()
        case.refresh_from_db()
        self.assertEqual(case.subject, self.child)
        labels = {f"{m._meta.label_lower}.{f.name}" for m, f in dedup.person_relations()}
        # Cases, assessments, services and referrals: every app's rows about a person.
        for label in (
            "cases.case.subject",
            "assessments.assessment.subject",
            "support.deliveryattendance.person",
            "support.referral.person",
            "registry.consent.person",
            "registry.membership.person",
        ):
            self.assertIn(label, labels)
        self.assertIn("registry.person.merged_into", labels)
        self.assertNotIn("dedup.duplicatecandidate.person_a", labels)

    def test_it_hides_the_merged_person_from_lists(self) -> None:
        self.merge()
        people = selectors.person_list(user=self.alice)
        self.assertNotIn(self.duplicate, people)
        self.assertIn(self.child, people)

    def test_it_undoes_a_merge_within_the_window(self) -> None:
        merge = self.merge()
        dedup.merge_undo(actor=self.bob, merge=merge)
        self.duplicate.refresh_from_db()
        self.assertIsNone(self.duplicate.merged_into)
        self.assertEqual(Consent.objects.get(pk=self.consent.pk).person, self.duplicate)
        self.assertEqual(CareArrangement.objects.get(pk=self.care.pk).person, self.duplicate)
        self.assertEqual(self.other_household.memberships.get().person, self.duplicate)
        self.assertTrue(
            Membership.objects.filter(
                household=self.household, person=self.duplicate, ended_on__isnull=True
            ).exists()
        )
        self.candidate.refresh_from_db()
        self.assertEqual(self.candidate.status, DuplicateCandidate.Status.OPEN)
        self.assertTrue(AuditEvent.objects.filter(action="dedup.merge_undo").exists())
        with self.assertRaises(ApplicationError):
            dedup.merge_undo(actor=self.bob, merge=merge)

    def test_it_refuses_to_undo_after_the_programmes_window(self) -> None:
        self.programme.settings = {"merge_undo_days": 2}
        self.programme.save(update_fields=["settings"])
        merge = self.merge()
        later = merge.undo_until + dt.timedelta(minutes=1)
        with time_machine.travel(later), self.assertRaises(ApplicationError):
            dedup.merge_undo(actor=self.bob, merge=merge)

    def test_it_is_for_supervisors_and_managers_only(self) -> None:
        with self.assertRaises(PermissionDenied):
            dedup.person_merge(actor=self.alice, survivor=self.child, merged=self.duplicate)
        dedup.person_merge(actor=self.frank, survivor=self.duplicate, merged=self.child)

    def test_it_refuses_to_merge_a_record_already_merged(self) -> None:
        self.merge()
        third = registry.person_create(
            actor=self.alice, data={"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female"},
            household=self.household,
        )  # fmt: skip
        with self.assertRaises(ApplicationError):
            dedup.person_merge(actor=self.bob, survivor=third, merged=self.duplicate)
        with self.assertRaises(ApplicationError):
            dedup.person_merge(actor=self.bob, survivor=self.child, merged=self.child)

    def test_it_points_earlier_redirects_at_the_new_survivor(self) -> None:
        self.merge()
        third = registry.person_create(
            actor=self.alice, data={"given_name": "Shahnoza", "family_name": "Karimova", "sex": "female"},
            household=self.other_household,
        )  # fmt: skip
        dedup.person_merge(actor=self.bob, survivor=third, merged=self.child)
        self.assertEqual(Person.objects.get(pk=self.duplicate.pk).merged_into_id, third.pk)
        # The first merge cannot be undone before the later one.
        with self.assertRaises(ApplicationError):
            dedup.merge_undo(actor=self.bob, merge=Merge.objects.get(merged=self.duplicate))
