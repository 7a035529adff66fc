from __future__ import annotations

from django.db.models import QuerySet

from oila.accounts.models import Programme, Role, Team, User


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
