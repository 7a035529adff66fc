"""Signing in: allauth with usernames, no sign-up, a new session key, lockout (ASVS V2.2, V3.2)."""

from __future__ import annotations

import datetime as dt

import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from oila.audit.models import AuditEvent
from tests.base import PASSWORD
from tests.security.helpers import LOGIN, SignInTestCase

HOME = reverse("web:home")


class LoginTests(SignInTestCase):
    def test_it_signs_in_with_a_username_and_password(self) -> None:
        page = self.client.get(LOGIN)
        self.assertContains(page, 'name="login"')
        self.assertContains(page, 'name="password"')
        self.assertRedirects(self.sign_in("alice"), HOME, fetch_redirect_response=False)
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_it_refuses_a_wrong_password_with_a_message(self) -> None:
        response = self.sign_in("alice", "not the password at all")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not correct")
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")

    def test_it_refuses_a_disabled_account(self) -> None:
        self.alice.is_active = False
        self.alice.save(update_fields=["is_active"])
        self.sign_in("alice")
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")

    def test_it_renews_the_session_key_at_sign_in(self) -> None:
        self.client.get(LOGIN)  # a visitor's session (the CSRF cookie, a language choice, …)
        session = self.client.session
        session["anything"] = "before"
        session.save()
        before = session.session_key
        self.sign_in("alice")
        after = self.client.session.session_key
        self.assertNotEqual(before, after)
        self.assertTrue(after)

    def test_it_writes_the_sign_in_to_the_audit_log(self) -> None:
        self.sign_in("alice")
        event = AuditEvent.objects.filter(action="session.start").get()
        self.assertEqual((event.actor_username, event.after), ("alice", {"mfa": False}))

    def test_it_offers_no_sign_up(self) -> None:
        self.assertNotContains(self.client.get(LOGIN), "/accounts/signup/")
        response = self.client.post(
            "/accounts/signup/",
            {
                "username": "mallory",
                "password1": "a long enough secret",
                "password2": "a long enough secret",
            },
        )
        self.assertContains(response, "closed")
        self.assertFalse(type(self.alice).objects.filter(username="mallory").exists())

    def test_the_admin_signs_in_through_the_same_page(self) -> None:
        response = self.client.get("/admin/login/?next=/admin/")
        self.assertRedirects(response, f"{LOGIN}?next=/admin/", fetch_redirect_response=False)

    def test_signing_out_ends_the_session(self) -> None:
        self.sign_in("alice")
        key = self.client.session.session_key
        self.client.post(reverse("logout"))
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")
        self.assertFalse(Session.objects.filter(session_key=key).exists())


class LockoutTests(SignInTestCase):
    """django-axes: the lockout every process shares (it counts in the database). allauth's own
    per-process limit is a second line; `forget_allauth_limits` takes it out of the picture, as a
    request reaching another worker process would."""

    def fail(self, username: str, times: int, **extra: str) -> None:
        for _ in range(times):
            self.client.post(LOGIN, {"login": username, "password": "wrong password here"}, **extra)

    def forget_allauth_limits(self) -> None:
        cache.clear()

    def test_it_locks_a_username_after_five_failures(self) -> None:
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 5)
        self.fail("alice", 4)
        response = self.client.post(LOGIN, {"login": "alice", "password": "wrong again, fifth"})
        self.assertContains(response, "Sign-in paused", status_code=429)
        self.forget_allauth_limits()
        response = self.sign_in("alice")  # even the right password
        self.assertContains(response, "Sign-in paused", status_code=429)
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")

    def test_allauth_refuses_too_while_it_remembers(self) -> None:
        self.fail("alice", 5)
        response = self.sign_in("alice")
        self.assertContains(response, "Too many failed login attempts")
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")

    def test_four_failures_do_not_lock(self) -> None:
        self.fail("alice", 4)
        self.assertRedirects(self.sign_in("alice"), HOME, fetch_redirect_response=False)

    def test_a_success_resets_the_count(self) -> None:
        self.fail("alice", 4)
        self.sign_in("alice")
        self.client.post(reverse("logout"))
        self.forget_allauth_limits()
        self.fail("alice", 4)
        self.assertRedirects(self.sign_in("alice"), HOME, fetch_redirect_response=False)

    def test_the_lock_is_per_username_and_address(self) -> None:
        self.fail("alice", 5)
        # Another user at the same office address, and alice from another address, still sign in.
        self.assertRedirects(self.sign_in("carol"), HOME, fetch_redirect_response=False)
        self.client.post(reverse("logout"))
        self.forget_allauth_limits()
        response = self.client.post(
            LOGIN, {"login": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
        )
        self.assertRedirects(response, HOME, fetch_redirect_response=False)

    def test_the_lock_ends_after_the_cool_off(self) -> None:
        self.fail("alice", 5)
        self.assertEqual(settings.AXES_COOLOFF_TIME, 0.25)  # hours: 15 minutes
        self.forget_allauth_limits()
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
            self.assertRedirects(self.sign_in("alice"), HOME, fetch_redirect_response=False)

    def test_failures_are_recorded_for_the_administrator(self) -> None:
        self.fail("alice", 2)
        attempt = AccessAttempt.objects.get(username="alice")
        self.assertEqual(attempt.failures_since_start, 2)
        self.assertNotIn("wrong password", attempt.post_data)  # passwords are masked

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_the_limit_is_a_setting(self) -> None:
        self.fail("alice", 2)
        self.forget_allauth_limits()
        self.assertEqual(self.sign_in("alice").status_code, 429)
