"""Capacity-building services: specialists as contacts, events, participants, attendance and scores
(percentages 0–100, only for those who attended); bad input saves nothing; writes are audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q

from oila.audit.models import AuditEvent
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.registry.models import Enrolment
from oila.training import services
from oila.training.models import Specialist, TrainingEvent, TrainingParticipation
from oila.training.services import ResultRow
from tests.base import OilaTestCase
from tests.training.factories import event, other_programme, specialist


class TrainingTestCase(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.malika = specialist(cls.frank, cls.partner_org)
        cls.nodir = specialist(cls.alice, cls.partner_org, given_name="Nodira")
        cls.event = event(cls.frank)

    def assert_refused(self, call: Any, message: str) -> None:
        before = (
            list(TrainingParticipation.objects.values().order_by("id")),
            TrainingEvent.objects.count(),
            AuditEvent.objects.count(),
        )
        with self.assertRaises((ApplicationError, ValidationError)) as caught:
            call()
        exc = caught.exception
        text = (
            " ".join(m for ms in exc.message_dict.values() for m in ms)
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        self.assertIn(message, text)
        after = (
            list(TrainingParticipation.objects.values().order_by("id")),
            TrainingEvent.objects.count(),
            AuditEvent.objects.count(),
        )
        self.assertEqual(after, before, "something was saved")


class SpecialistTests(TrainingTestCase):
    def test_a_specialist_is_a_person_without_household_or_case_enrolled_as_specialist(
        self,
    ) -> None:
        self.assertFalse(self.malika.memberships.exists())
        self.assertFalse(self.malika.cases.exists())
        enrolment = Enrolment.objects.get(person=self.malika)
        self.assertEqual((enrolment.group, enrolment.status), ("specialist", "active"))
        profile = Specialist.objects.get(person=self.malika)
        self.assertEqual((profile.organisation, profile.position),
                         (self.partner_org, "school psychologist"))  # fmt: skip
        self.assertTrue(AuditEvent.objects.filter(action="training.specialist.create").exists())

    def test_it_changes_where_a_specialist_works(self) -> None:
        services.specialist_profile_set(
            actor=self.bob, person=self.malika, organisation=self.ngo, position="trainer"
        )
        profile = Specialist.objects.get(person=self.malika)
        self.assertEqual((profile.organisation, profile.position), (self.ngo, "trainer"))
        event_ = AuditEvent.objects.get(action="training.specialist.update")
        self.assertEqual(event_.after["position"], "trainer")

    def test_a_beneficiary_is_not_a_specialist(self) -> None:
        self.assert_refused(
            lambda: services.specialist_profile_set(
                actor=self.alice, person=self.child, organisation=self.ngo
            ),
            "not enrolled as a specialist",
        )

    def test_roles_outside_the_programmes_training_may_not_add_one(self) -> None:
        _programme, ivan = other_programme(self.ngo)
        for user in (self.dave, self.erin, self.grace, self.heidi, ivan):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                specialist(user, self.partner_org, programme=self.programme)


class EventTests(TrainingTestCase):
    def test_it_records_an_event_and_audits_it(self) -> None:
        created = event(self.alice, topic="Positive parenting", trainer=self.bob, trainer_name="")
        self.assertEqual((created.programme, created.trainer_display), (self.programme, "bob"))
        self.assertEqual(
            AuditEvent.objects.filter(action="training.event.create").latest("seq").target_id,
            str(created.pk),
        )

    def test_it_refuses_an_event_ending_before_it_starts_or_without_a_trainer(self) -> None:
        self.assert_refused(
            lambda: event(self.alice, ends_on=dt.date(2025, 4, 1)), "cannot end before it starts"
        )
        self.assert_refused(lambda: event(self.alice, trainer_name=" "), "Name the trainer")

    def test_it_changes_an_event(self) -> None:
        services.event_update(actor=self.carol, event=self.event, data={"venue": "Xiva"})
        self.event.refresh_from_db()
        self.assertEqual(self.event.venue, "Xiva")


class ParticipantTests(TrainingTestCase):
    def test_it_invites_specialists_once(self) -> None:
        services.participants_add(actor=self.alice, event=self.event, people=[self.malika])
        added = services.participants_add(
            actor=self.alice, event=self.event, people=[self.malika, self.nodir]
        )
        self.assertEqual([p.person for p in added], [self.nodir])
        self.assertEqual(self.event.participations.count(), 2)

    def test_it_refuses_people_who_are_not_specialists_of_the_programme(self) -> None:
        programme, ivan = other_programme(self.ngo)
        elsewhere = specialist(ivan, self.partner_org, given_name="Oysha", programme=programme)
        for person in (self.child, elsewhere):
            with self.subTest(person=person.given_name):
                self.assert_refused(
                    lambda person=person: services.participants_add(
                        actor=self.alice, event=self.event, people=[self.malika, person]
                    ),
                    f"Not specialists of this programme: {person.full_name}",
                )

    def test_it_removes_an_invited_specialist_but_not_one_who_attended(self) -> None:
        first, second = services.participants_add(
            actor=self.alice, event=self.event, people=[self.malika, self.nodir]
        )
        services.event_results_record(
            actor=self.alice, event=self.event, rows=[ResultRow(first, attended=True)]
        )
        first.refresh_from_db()
        self.assert_refused(
            lambda: services.participant_remove(actor=self.alice, participation=first),
            "attended this event",
        )
        services.participant_remove(actor=self.alice, participation=second)
        self.assertEqual([p.person for p in self.event.participations.all()], [self.malika])


class ResultsTests(TrainingTestCase):
    def setUp(self) -> None:
        self.malika_p, self.nodir_p = services.participants_add(
            actor=self.alice, event=self.event, people=[self.malika, self.nodir]
        )

    def test_it_records_attendance_scores_and_certificates_in_one_go(self) -> None:
        changed = services.event_results_record(
            actor=self.alice,
            event=self.event,
            rows=[
                ResultRow(self.malika_p, attended=True, pre_score=45, post_score=80,
                          certificate_number="CB-2025-001"),
                ResultRow(self.nodir_p, attended=True, pre_score=60, post_score=65),
            ],
        )  # fmt: skip
        self.assertEqual(len(changed), 2)
        malika = TrainingParticipation.objects.get(person=self.malika)
        self.assertEqual(
            (malika.pre_score, malika.post_score, malika.certificate_issued_on),
            (45, 80, dt.date(2025, 4, 16)),  # the certificate dated the event's last day
        )
        audit = AuditEvent.objects.get(action="training.results")
        self.assertEqual(audit.after[str(self.malika.pk)]["post_score"], 80)
        # The later indicator: specialists trained with a post-test score of at least 70 %.
        trained = TrainingParticipation.objects.aggregate(
            n=Count("person", distinct=True, filter=Q(attended=True, post_score__gte=70))
        )
        self.assertEqual(trained["n"], 1)

    def test_it_refuses_scores_outside_0_to_100_and_saves_nothing(self) -> None:
        for pre, post in ((101, 50), (50, -1), (100, 1000)):
            with self.subTest(pre=pre, post=post):
                self.assert_refused(
                    lambda pre=pre, post=post: services.event_results_record(
                        actor=self.alice,
                        event=self.event,
                        rows=[
                            ResultRow(self.nodir_p, attended=True, pre_score=10, post_score=20),
                            ResultRow(self.malika_p, attended=True, pre_score=pre, post_score=post),
                        ],
                    ),
                    "A score is a percentage from 0 to 100.",
                )

    def test_it_accepts_the_bounds(self) -> None:
        services.event_results_record(
            actor=self.alice,
            event=self.event,
            rows=[ResultRow(self.malika_p, attended=True, pre_score=0, post_score=100)],
        )
        self.malika_p.refresh_from_db()
        self.assertEqual((self.malika_p.pre_score, self.malika_p.post_score), (0, 100))

    def test_it_refuses_scores_or_a_certificate_for_someone_absent(self) -> None:
        self.assert_refused(
            lambda: services.event_results_record(
                actor=self.alice,
                event=self.event,
                rows=[ResultRow(self.malika_p, attended=False, post_score=90)],
            ),
            "only for those who attended",
        )

    def test_it_refuses_attendance_before_the_event(self) -> None:
        later = event(self.alice, starts_on=today() + dt.timedelta(days=5),
                      ends_on=today() + dt.timedelta(days=6))  # fmt: skip
        (invited,) = services.participants_add(actor=self.alice, event=later, people=[self.malika])
        self.assert_refused(
            lambda: services.event_results_record(
                actor=self.alice, event=later, rows=[ResultRow(invited, attended=True)]
            ),
            "once the event has started",
        )

    def test_unchanged_rows_write_nothing(self) -> None:
        rows = [ResultRow(self.malika_p, attended=False)]
        self.assertEqual(
            services.event_results_record(actor=self.alice, event=self.event, rows=rows), []
        )
        self.assertFalse(AuditEvent.objects.filter(action="training.results").exists())
