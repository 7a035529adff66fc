"""django-allauth's hooks: no self sign-up, and every sign-in starts the session clock."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from oila.accounts.models import User
from oila.security import services


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are made by administrators (docs/admin-guide.md), never by visitors."""
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        """Django's login (which gives the session a new key), then the session clock and audit."""
        super().login(request, user)
        services.session_start(request=request, user=user)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username django-axes counts failures for: allauth passes it as `username`; its form
    field is `login`."""
    if credentials and credentials.get(User.USERNAME_FIELD):
        return str(credentials[User.USERNAME_FIELD]).strip()
    login = request.POST.get("login") if request is not None else None
    return login.strip() if login else None
