"""The one visibility rule for households and people (DESIGN.md, roles table).

Both carry the same owner fields (programme, team, caseworker), so one Q serves both, and every list,
page, export, report and API reads through it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from oila.accounts.models import Role
from oila.accounts.rules import works_with_cases

NOTHING = Q(pk__in=[])


def owned_scope(user: Any) -> Q:
    """Rows of an owned model (Household, Person) that this user may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.role == Role.CASEWORKER:
        scope = Q(caseworker=user)
        team = user.team
        if team is not None and team.programme.setting("caseworkers_see_team"):
            scope |= Q(team=team)
        return scope
    if user.role == Role.SUPERVISOR:
        return Q(team=user.team_id) if user.team_id else NOTHING
    if user.role == Role.MANAGER:
        return Q(programme__in=user.programmes.all())
    # M&E officers see aggregates only; partners see only referrals; the DPO and administrators
    # see the audit log and configuration, not case contents (break-the-glass comes later).
    return NOTHING


def can_register(user: Any) -> bool:
    """Who may register households and people (and edit those they can see)."""
    return bool(works_with_cases(user))
