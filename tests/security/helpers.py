"""Signing in as a person does: through the login page (and the second-factor page)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.base import PASSWORD, OilaTestCase

LOGIN = "/accounts/login/"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


class SignInTestCase(OilaTestCase):
    def setUp(self) -> None:
        super().setUp()
        # allauth's rate limits live in the cache, which outlives a test's transaction.
        cache.clear()
        self.addCleanup(cache.clear)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def sign_in(self, username: str, password: str = PASSWORD, client: Client | None = None) -> Any:
        client = client or self.client
        return client.post(LOGIN, {"login": username, "password": password})

    def reauthenticate(self, client: Client | None = None) -> Any:
        """allauth asks for the password again before a second factor is added or removed."""
        client = client or self.client
        return client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    def give_totp(self, user: Any) -> str:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    def sign_in_with_totp(self, user: Any, secret: str, client: Client | None = None) -> Any:
        client = client or self.client
        response = self.sign_in(user.username, client=client)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
        return client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
