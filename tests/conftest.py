"""Test-wide set-up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test.client import ClientMixin
from django.utils import translation

_login = ClientMixin._login


def _login_through_the_flow(self: Any, user: Any, backend: Any = None) -> None:
    """`client.force_login` skips the sign-in flow, so its session lacks the clock that the flow
    starts (oila.security.sessions) and SessionPolicyMiddleware would end it at once. Give it what a
    completed sign-in gives, second factor included; tests of the flow itself sign in by posting to
    the login page (tests/security/)."""
    from oila.security.sessions import session_clock_start

    _login(self, user, backend)
    session = self.session
    session_clock_start(session, user=user, mfa=True)
    session.save()


ClientMixin._login = _login_through_the_flow  # type: ignore[method-assign]


_client_login = ClientMixin.login


def _login_with_a_request(self: Any, **credentials: Any) -> bool:
    """`client.login(username=…, password=…)` authenticates without a request, which django-axes
    refuses (it counts failures per request's address). Give it one, as every real sign-in has."""
    from django.http import HttpRequest

    credentials.setdefault("request", HttpRequest())
    return bool(_client_login(self, **credentials))


ClientMixin.login = _login_with_a_request  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts in the tests' language. A request handled in this thread activates the
    language it asked for and leaves it active; without this, a page fetched in Uzbek by one test
    would make the next test's messages Uzbek too."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
