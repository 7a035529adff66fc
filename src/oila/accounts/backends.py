"""The sign-in backend: django-allauth's, with the signed-in user read together with their team and
its programme."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from oila.accounts.models import User


class AuthenticationBackend(AllauthBackend):
    """Every request of a caseworker reads their team and its programme (the visibility rule asks
    the programme's settings): read with the user, in the one query each request makes anyway,
    rather than in two more."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("team__programme").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
