from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from oila.accounts.models import Notification, Programme, Role, Team, User
from oila.common.ids import uuid_or_404


def programmes_of(*, user: User) -> QuerySet[Programme]:
    """The programmes a user works on: their team's, or those they are attached to."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.team_id is not None:
        return Programme.objects.filter(teams=user.team_id)
    return user.programmes.all()


def team_members(*, team: Team) -> QuerySet[User]:
    """The active caseworkers and supervisors of a team."""
    return User.objects.filter(
        team=team, is_active=True, role__in=[Role.CASEWORKER, Role.SUPERVISOR]
    ).order_by("username")


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another's inbox)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "id")


# What the signed-in user carries for the bell when accounts.backends read it with the user.
UNREAD = "oila_unread"


def unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread (the bell in the page frame): as the
    request's user was read with it (accounts.backends), else counted."""
    if not user.is_authenticated:
        return 0
    counted = getattr(user, UNREAD, None)
    if counted is not None:
        return int(counted)
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: Any) -> Notification:
    """One of the user's own notifications; 404 for anyone else's."""
    notification = notification_list(user=user).filter(pk=uuid_or_404(notification_id)).first()
    if notification is None:
        raise Http404
    return notification
