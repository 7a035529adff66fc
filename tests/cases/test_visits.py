"""Visits and notes: quick to record, never in the future, the narrative encrypted at rest."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from oila.audit.models import AuditEvent
from oila.cases import services
from oila.cases.models import Visit
from oila.common.dates import today
from oila.common.errors import ApplicationError
from tests.base import OilaTestCase
from tests.cases.factories import open_case

SECRET = "Father drinks; the girl was afraid to go home."


class VisitTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)

    def record(self, **kwargs: object) -> Visit:
        data = {"on": today(), "kind": "home", "narrative": SECRET, "participants": "mother"}
        data.update(kwargs)
        return services.visit_record(actor=self.alice, case=self.case, **data)  # type: ignore[arg-type]

    def test_it_records_a_visit_on_the_timeline(self) -> None:
        visit = self.record(next_steps="School meeting.")
        self.assertEqual(visit.recorded_by, self.alice)
        self.assertEqual(self.case.events.filter(kind="visit.record").count(), 1)

    def test_the_narrative_and_next_steps_are_encrypted_at_rest(self) -> None:
        visit = self.record(next_steps="Call the school psychologist.")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT narrative, next_steps FROM cases_visit WHERE id = %s",
                [visit.pk.hex if connection.vendor == "sqlite" else visit.pk],
            )
            narrative, next_steps = cursor.fetchone()
        self.assertTrue(narrative.startswith("enc1:"))
        self.assertNotIn("afraid", narrative)
        self.assertNotIn("psychologist", next_steps)
        self.assertEqual(Visit.objects.get(pk=visit.pk).narrative, SECRET)

    def test_the_audit_trail_holds_no_narrative(self) -> None:
        self.record()
        event = AuditEvent.objects.get(action="visit.record")
        self.assertNotIn("afraid", str(event.after))

    def test_a_visit_dated_in_the_future_is_refused_and_changes_nothing(self) -> None:
        before = (self.case.visit_due_on, self.case.last_visit_on)
        with self.assertRaises(ApplicationError) as caught:
            self.record(on=today() + dt.timedelta(days=1))
        self.assertEqual(caught.exception.field, "on")
        self.case.refresh_from_db()
        self.assertEqual((self.case.visit_due_on, self.case.last_visit_on), before)
        self.assertFalse(Visit.objects.exists())
        self.assertEqual(self.case.events.count(), 1)

    def test_a_visit_needs_a_narrative_and_a_date_after_identification(self) -> None:
        with self.assertRaises(ApplicationError) as caught:
            self.record(narrative="   ")
        self.assertEqual(caught.exception.field, "narrative")
        with self.assertRaises(ApplicationError) as caught:
            self.record(on=dt.date(2000, 1, 1))
        self.assertEqual(caught.exception.field, "on")
        self.assertFalse(Visit.objects.exists())

    def test_an_older_visit_entered_late_does_not_move_the_deadline_back(self) -> None:
        self.record()
        self.case.refresh_from_db()
        due = self.case.visit_due_on
        self.case.identified_at -= dt.timedelta(days=30)
        self.record(on=today() - dt.timedelta(days=10))
        self.case.refresh_from_db()
        self.assertEqual(self.case.visit_due_on, due)
