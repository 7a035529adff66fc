"""The sign-in backend: django-allauth's, with the signed-in user read together with their team, its
programme and the number of their unread notifications."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.db.models import OuterRef

from oila.accounts.models import Notification, User
from oila.accounts.selectors import UNREAD
from oila.common.queries import count_of


class AuthenticationBackend(AllauthBackend):
    """Every request of a caseworker reads their team and its programme (the visibility rule asks
    the programme's settings), and every page counts the user's unread notifications (the bell):
    read with the user, in the one query each request makes anyway, rather than in three more."""

    def get_user(self, user_id: Any) -> User | None:
        unread = Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        users = User._default_manager.select_related("team__programme").annotate(
            **{UNREAD: count_of(unread, "user")}
        )
        try:
            user = users.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
