"""An alert to the data protection officer when one user reads more records than usual in a short
time (issue item 5; ASVS 4.0.3 8.1.4, 11.1.7)."""

from __future__ import annotations

from django.test import override_settings
from django.utils import translation

from oila.accounts.models import Notification
from oila.audit.models import AuditEvent
from oila.audit.tasks import raise_read_alerts
from tests.base import OilaTestCase


@override_settings(OILA_READ_ALERT_COUNT=2, OILA_READ_ALERT_MINUTES=10)
class ReadAlertTests(OilaTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A page activates the reader's language; leave the next test the language it had.
        self.enterContext(translation.override("en"))
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def read(self, *records: object) -> None:
        self.client.force_login(self.alice)
        for url in records:
            self.assertEqual(self.client.get(url).status_code, 200)

    def people(self) -> list[str]:
        return [f"/people/{m.person_id}/" for m in self.household.memberships.all()]

    def test_it_alerts_the_dpo_when_a_user_reads_more_than_the_limit(self) -> None:
        self.read(*self.people(), f"/households/{self.household.pk}/")  # three records
        self.assertEqual(raise_read_alerts.call_local(), 1)
        alert = AuditEvent.objects.get(action="alert.reads")
        self.assertEqual(alert.target_id, str(self.alice.pk))
        self.assertEqual(alert.after["records"], 3)
        note = Notification.objects.get(user=self.grace, kind="audit.read_alert")
        self.assertIn("alice", note.text)
        self.assertFalse(
            Notification.objects.filter(kind="audit.read_alert").exclude(user=self.grace)
        )

    def test_it_alerts_once_per_window(self) -> None:
        self.read(*self.people(), f"/households/{self.household.pk}/")
        raise_read_alerts.call_local()
        self.assertEqual(raise_read_alerts.call_local(), 0)
        self.assertEqual(AuditEvent.objects.filter(action="alert.reads").count(), 1)

    def test_it_says_nothing_up_to_the_limit(self) -> None:
        self.read(*self.people())  # two records: the limit, not more
        self.assertEqual(raise_read_alerts.call_local(), 0)
        self.assertFalse(Notification.objects.filter(kind="audit.read_alert").exists())
