"""Sessions: 30 minutes idle, 12 hours absolute, ended when an account is disabled or its role
changes, listed and ended by their user (ASVS 3.3.1, 3.3.2, 3.3.3, 3.3.4, 3.2.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oila.accounts.models import Role
from oila.audit.models import AuditEvent
from oila.security import services
from oila.security.sessions import LOGIN_AT, SEEN_AT
from tests.base import PASSWORD
from tests.security.helpers import LOGIN, SignInTestCase

HOME = reverse("web:home")
SIGNED_OUT = f"{LOGIN}?next={HOME}"


def later(**delta: Any) -> Any:
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(**delta), tick=False)


class SessionTimeoutTests(SignInTestCase):
    def test_the_limits_are_30_minutes_idle_and_12_hours(self) -> None:
        self.assertEqual(settings.OILA_SESSION_IDLE_SECONDS, 30 * 60)
        self.assertEqual(settings.OILA_SESSION_ABSOLUTE_SECONDS, 12 * 3600)

    def test_it_ends_a_session_after_30_minutes_without_activity(self) -> None:
        self.sign_in("alice")
        with later(minutes=29):
            self.assertEqual(self.client.get(HOME).status_code, 200)
        with later(minutes=29 + 31):
            response = self.client.get(HOME, follow=True)
        self.assertRedirects(response, SIGNED_OUT)
        self.assertContains(response, "without activity")
        event = AuditEvent.objects.filter(action="session.expire").get()
        self.assertEqual((event.actor_username, event.note), ("alice", "idle"))

    def test_activity_keeps_it_going(self) -> None:
        self.sign_in("alice")
        for minutes in (20, 40, 60, 80):
            with later(minutes=minutes):
                self.assertEqual(self.client.get(HOME).status_code, 200, minutes)

    def test_it_ends_a_session_12_hours_after_sign_in_even_when_active(self) -> None:
        self.sign_in("alice")
        minutes = 0
        while minutes < 12 * 60 - 20:
            minutes += 20
            with later(minutes=minutes):
                self.assertEqual(self.client.get(HOME).status_code, 200, minutes)
        with later(minutes=12 * 60 + 5):
            response = self.client.get(HOME, follow=True)
        self.assertRedirects(response, SIGNED_OUT)
        self.assertContains(response, "time limit")

    def test_it_records_activity_at_most_once_a_minute(self) -> None:
        self.sign_in("alice")
        key = self.client.session.session_key
        seen = self.client.session[SEEN_AT]
        recorded = UserSession.objects.get(session_key=key).last_seen_at
        with later(seconds=30):
            self.client.get(HOME)
        self.assertEqual(self.client.session[SEEN_AT], seen)
        self.assertEqual(UserSession.objects.get(session_key=key).last_seen_at, recorded)
        with later(seconds=90):
            self.client.get(HOME)
        self.assertGreater(self.client.session[SEEN_AT], seen)
        self.assertGreater(UserSession.objects.get(session_key=key).last_seen_at, recorded)

    def test_it_ends_a_session_not_made_by_the_sign_in_flow(self) -> None:
        self.sign_in("alice")
        session = self.client.session
        del session[LOGIN_AT]
        session.save()
        self.assertRedirects(self.client.get(HOME), SIGNED_OUT)

    def test_the_session_cookie_is_http_only_and_same_site(self) -> None:
        response = self.sign_in("alice")
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")


class SessionsEndedByAccountChangesTests(SignInTestCase):
    def signed_in_client(self, username: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        self.sign_in(username, client=client)
        self.assertEqual(client.get(HOME).status_code, 200)
        return client

    def test_disabling_an_account_ends_its_sessions(self) -> None:
        phone, laptop = self.signed_in_client("alice"), self.signed_in_client("alice")
        services.user_update(actor=self.heidi, user=self.alice, data={"is_active": False})
        for client in (phone, laptop):
            self.assertRedirects(client.get(HOME), SIGNED_OUT, fetch_redirect_response=False)
        self.assertFalse(UserSession.objects.filter(user=self.alice).exists())
        actions = list(AuditEvent.objects.values_list("action", flat=True))
        self.assertIn("user.update", actions)
        self.assertIn("session.end_all", actions)

    def test_changing_a_role_ends_its_sessions(self) -> None:
        client = self.signed_in_client("alice")
        other = self.signed_in_client("carol")
        services.user_update(actor=self.heidi, user=self.alice, data={"role": Role.ME_OFFICER})
        self.assertRedirects(client.get(HOME), SIGNED_OUT, fetch_redirect_response=False)
        self.assertEqual(other.get(HOME).status_code, 200)  # nobody else's

    def test_other_changes_keep_the_sessions(self) -> None:
        client = self.signed_in_client("alice")
        services.user_update(actor=self.heidi, user=self.alice, data={"first_name": "Alisa"})
        self.assertEqual(client.get(HOME).status_code, 200)

    def test_it_also_ends_sessions_that_were_never_recorded(self) -> None:
        client = self.signed_in_client("alice")
        UserSession.objects.all().delete()  # e.g. a session from before sessions were recorded
        services.user_update(actor=self.heidi, user=self.alice, data={"is_active": False})
        self.assertRedirects(client.get(HOME), SIGNED_OUT, fetch_redirect_response=False)

    def test_the_user_admin_goes_through_the_service(self) -> None:
        client = self.signed_in_client("alice")
        self.heidi.is_superuser = True  # may change users in the admin
        self.heidi.save(update_fields=["is_superuser"])
        self.client.force_login(self.heidi)
        # Whole seconds, as the admin's date fields show them (so only the role is a change).
        type(self.alice).objects.filter(pk=self.alice.pk).update(
            date_joined=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), last_login=None
        )
        url = reverse("admin:accounts_user_change", args=[self.alice.pk])
        form = self.client.get(url).context["adminform"].form
        data: dict[str, Any] = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or name == "password":
                continue
            if isinstance(value, list | tuple):
                data[name] = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                data[name] = value.pk
            elif isinstance(value, dt.datetime):
                local = timezone.localtime(value)  # as the admin shows it
                data[f"{name}_0"], data[f"{name}_1"] = (
                    local.date().isoformat(),
                    local.strftime("%H:%M:%S"),
                )
            else:
                data[name] = value
        data["role"] = Role.SUPERVISOR
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["adminform"].form.errors,
        )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.role, Role.SUPERVISOR)
        self.assertRedirects(client.get(HOME), SIGNED_OUT, fetch_redirect_response=False)
        event = AuditEvent.objects.filter(action="user.update").get()
        self.assertEqual(
            (event.actor_username, event.before, event.after),
            ("heidi", {"role": "caseworker"}, {"role": "supervisor"}),
        )

    def test_new_permissions_end_the_sessions_and_are_audited(self) -> None:
        from django.contrib.auth.models import Group

        client = self.signed_in_client("alice")
        group = Group.objects.create(name="Exporters")
        services.user_relations_update(actor=self.heidi, user=self.alice, data={"groups": [group]})
        self.assertRedirects(client.get(HOME), SIGNED_OUT, fetch_redirect_response=False)
        event = AuditEvent.objects.filter(action="user.access").get()
        self.assertEqual(event.after, {"groups": [str(group.pk)]})

    def test_the_admin_audits_a_new_user(self) -> None:
        self.heidi.is_superuser = True
        self.heidi.save(update_fields=["is_superuser"])
        self.client.force_login(self.heidi)
        response = self.client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "zarina",
                "password1": "plov on thursday evenings",
                "password2": "plov on thursday evenings",
                "usable_password": "true",
            },
        )
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.filter(action="user.create").get()
        self.assertEqual((event.actor_username, event.after["username"]), ("heidi", "zarina"))

    def test_a_password_change_ends_the_other_sessions(self) -> None:
        phone = self.signed_in_client("alice")
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "plov on thursday evenings",
                "password2": "plov on thursday evenings",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(HOME).status_code, 200)
        self.assertRedirects(phone.get(HOME), SIGNED_OUT, fetch_redirect_response=False)


class YourSessionsPageTests(SignInTestCase):
    url = reverse("security:index")

    def setUp(self) -> None:
        super().setUp()
        self.phone = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT="Phone browser")
        self.sign_in("alice", client=self.phone)
        self.client.defaults["HTTP_USER_AGENT"] = "Office browser"
        self.sign_in("alice")

    def test_it_lists_the_users_own_sessions(self) -> None:
        self.sign_in("carol", client=Client(HTTP_USER_AGENT="Carol's browser"))
        page = self.client.get(self.url)
        self.assertContains(page, "Phone browser")
        self.assertContains(page, "Office browser")
        self.assertContains(page, "this one")
        self.assertNotContains(page, "Carol")

    def test_it_ends_one_session(self) -> None:
        phone = UserSession.objects.get(user_agent="Phone browser")
        response = self.client.post(reverse("security:session-end", args=[phone.pk]))
        self.assertRedirects(response, self.url)
        self.assertRedirects(self.phone.get(HOME), SIGNED_OUT, fetch_redirect_response=False)
        self.assertFalse(Session.objects.filter(session_key=phone.session_key).exists())
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_it_ends_all_the_others(self) -> None:
        self.assertContains(self.client.get(self.url), "Sign out everywhere else")
        self.client.post(reverse("security:sessions-end-others"))
        self.assertRedirects(self.phone.get(HOME), SIGNED_OUT, fetch_redirect_response=False)
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_ending_this_session_signs_out(self) -> None:
        mine = UserSession.objects.get(user_agent="Office browser")
        response = self.client.post(reverse("security:session-end", args=[mine.pk]))
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertRedirects(self.client.get(HOME), SIGNED_OUT, fetch_redirect_response=False)

    def test_nobody_can_end_someone_elses_session(self) -> None:
        carol = Client()
        self.sign_in("carol", client=carol)
        phone = UserSession.objects.get(user_agent="Phone browser")
        self.assertEqual(
            carol.post(reverse("security:session-end", args=[phone.pk])).status_code, 404
        )
        self.assertEqual(self.phone.get(HOME).status_code, 200)

    def test_it_needs_a_signed_in_user_and_a_post(self) -> None:
        phone = UserSession.objects.get(user_agent="Phone browser")
        self.assertEqual(
            self.client.get(reverse("security:session-end", args=[phone.pk])).status_code, 405
        )
        self.assertRedirects(
            Client().get(self.url), f"{LOGIN}?next={self.url}", fetch_redirect_response=False
        )


class ExpiredSessionsJobTests(SignInTestCase):
    def test_it_deletes_expired_sessions_every_night(self) -> None:
        self.sign_in("alice")
        live = self.client.session.session_key
        Session.objects.create(
            session_key="x" * 32,
            session_data="",
            expire_date=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        )
        from oila.security.tasks import clear_expired_sessions

        clear_expired_sessions()  # huey runs it at once under the tests
        self.assertEqual(list(Session.objects.values_list("session_key", flat=True)), [live])
