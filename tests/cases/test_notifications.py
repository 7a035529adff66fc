"""Notifications: the inbox page and the bell, and the daily digest (huey task)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from oila.accounts.models import Notification
from oila.accounts.services import notify
from oila.cases import services
from oila.cases.tasks import send_daily_digest
from tests.cases.factories import child_case, open_case, request_closure
from tests.registry.test_views import EnglishPages

INBOX = reverse("web:notifications")
MORNING = dt.datetime(2026, 3, 10, 7, 0, tzinfo=ZoneInfo("Asia/Tashkent"))
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class InboxTests(EnglishPages):
    def test_the_bell_counts_unread_notifications(self) -> None:
        request_closure(self.alice, open_case(self.alice, self.household))
        self.client.force_login(self.bob)
        response = self.client.get(INBOX)
        self.assertContains(response, '<span class="badge">1</span>', html=True)
        self.assertContains(response, "alice asks you to approve closing case KHR-")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(INBOX), 'class="badge"')

    def test_following_a_notification_marks_it_read(self) -> None:
        case = open_case(self.alice, self.household)
        request_closure(self.alice, case)
        note = Notification.objects.get(user=self.bob)
        self.client.force_login(self.bob)
        url = reverse("web:notification-read", args=[note.pk])
        response = self.client.post(url, {"follow": "1"})
        self.assertRedirects(response, reverse("cases:closure-decide", args=[case.pk]))
        note.refresh_from_db()
        self.assertIsNotNone(note.read_at)

    def test_nobody_marks_anothers_notification(self) -> None:
        note = notify(user=self.bob, kind="test", message="Hello.")
        self.client.force_login(self.alice)
        url = reverse("web:notification-read", args=[note.pk])
        self.assertEqual(self.client.post(url).status_code, 404)
        note.refresh_from_db()
        self.assertIsNone(note.read_at)

    def test_mark_all_read(self) -> None:
        for i in range(3):
            notify(user=self.alice, kind="test", message="Hello.")
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.post(reverse("web:notifications-read-all")), INBOX)
        self.assertFalse(Notification.objects.filter(read_at__isnull=True).exists())

    def test_every_role_has_an_inbox_and_anonymous_users_none(self) -> None:
        self.assertEqual(self.client.get(INBOX).status_code, 302)
        for user in self.everyone:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(INBOX).status_code, 200)

    def test_its_query_count_does_not_grow_with_the_notifications(self) -> None:
        self.client.force_login(self.alice)
        notify(user=self.alice, kind="test", message="Hello.")
        # session, user+bell, count, page
        with self.assertNumQueries(4):
            self.client.get(INBOX)
        for i in range(5):
            notify(user=self.alice, kind="test", message="Hello %(n)s.", params={"n": i})
        with self.assertNumQueries(4):
            self.client.get(INBOX)


@override_settings(EMAIL_BACKEND=LOCMEM)
class DailyDigestTests(EnglishPages):
    def setUp(self) -> None:
        super().setUp()
        self.alice.email = "alice@example.org"
        self.alice.language = "en"
        self.alice.save(update_fields=["email", "language"])
        with time_machine.travel(MORNING - dt.timedelta(days=3), tick=False):
            # High risk, identified three days ago: the assessment is two days late.
            self.late = open_case(self.alice, self.household, risk="high")
        with time_machine.travel(MORNING - dt.timedelta(days=7), tick=False):
            # A visit every 7 days: due today.
            self.due = child_case(self.alice, self.household, self.child, risk="high")
            services.case_assessment_recorded(
                actor=self.alice, case=self.due, assessed_on=MORNING.date() - dt.timedelta(days=7),
                is_csi=False,
            )  # fmt: skip

    def test_it_emails_overdue_and_due_today_items_once_a_day(self) -> None:
        with time_machine.travel(MORNING, tick=False):
            result = send_daily_digest.call_local()
        self.assertEqual(result["emails"], 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertIn("1 overdue, 1 due today", message.subject)
        self.assertIn(f"Initial assessment of Karimovlar ({self.late.number})", message.body)
        self.assertIn(
            f"Visit to Shahnoza Karimova ({self.due.number}) due on 2026-03-10", message.body
        )
        self.assertIn(f"/cases/{self.due.pk}/", message.body)

    def test_it_notifies_deadlines_approaching_once_per_item_per_day(self) -> None:
        expected = f"Visit to Shahnoza Karimova ({self.due.number}) due on 2026-03-10."
        with time_machine.travel(MORNING - dt.timedelta(days=1), tick=False):
            send_daily_digest.call_local()  # due tomorrow: approaching
        with time_machine.travel(MORNING, tick=False):
            send_daily_digest.call_local()  # due today
            send_daily_digest.call_local()  # a second run the same day adds nothing
        notes = Notification.objects.filter(user=self.alice, kind="deadline")
        self.assertEqual([n.text for n in notes], [expected, expected])
        self.assertEqual({n.url for n in notes}, {self.due.get_absolute_url()})
        with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
            send_daily_digest.call_local()  # overdue now: in the email, not a new notification
        self.assertEqual(notes.count(), 2)

    def test_a_user_without_email_or_anything_due_gets_no_email(self) -> None:
        with time_machine.travel(MORNING, tick=False):
            result = send_daily_digest.call_local()
        self.assertEqual(result["emails"], 1)  # alice only: bob has no address, carol nothing due
        self.assertFalse(Notification.objects.filter(user=self.bob, kind="deadline").exists())
        self.assertFalse(Notification.objects.filter(user=self.carol).exists())

    def test_it_runs_every_morning_at_seven_programme_time(self) -> None:
        # huey hands periodic tasks a naive UTC timestamp; Tashkent is UTC+5.
        validate = send_daily_digest.task_class().validate_datetime
        self.assertTrue(validate(dt.datetime(2026, 3, 10, 2, 0)))
        self.assertFalse(validate(dt.datetime(2026, 3, 10, 7, 0)))
        self.assertFalse(validate(dt.datetime(2026, 3, 10, 2, 1)))
