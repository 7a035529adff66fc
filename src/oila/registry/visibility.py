"""The one visibility rule for households and people (DESIGN.md, roles table).

Both carry the same owner fields (programme, team, caseworker), so one Q serves both, and every list,
page, export, report and API reads through it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from oila.accounts.models import Role, Team
from oila.accounts.rules import works_with_cases
from oila.common.queries import InSubquery

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
        return _with_grants(scope, user)
    if user.role == Role.SUPERVISOR:
        return _with_grants(Q(team=user.team_id), user) if user.team_id else NOTHING
    if user.role == Role.MANAGER:
        return Q(InSubquery("programme", user.programmes.values("pk")))
    # M&E officers see aggregates only; partners see only referrals; the DPO and administrators
    # see the audit log and configuration, not case contents (ADR 0017: they cannot break the glass).
    return NOTHING


def may_break_glass(user: Any) -> bool:
    """Caseworkers and supervisors of a team (ADR 0017); managers already see their programme."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in (Role.CASEWORKER, Role.SUPERVISOR)
        and user.team_id
    )


def has_live_grant(user: Any) -> bool:
    """Whether the user may hold a live break-the-glass grant (ADR 0025): `break_glass_until`, the
    end of the user's last grant, is still ahead. Only then does the visibility rule ask which
    records the grants open; for everyone else it spares each query two subqueries."""
    until = getattr(user, "break_glass_until", None)
    return until is not None and until > timezone.now()


def _with_grants(scope: Q, user: Any) -> Q:
    """The user's own scope, and the records of their live grants while they may hold one."""
    return scope | break_glass_scope(user) if has_live_grant(user) else scope


def break_glass_scope(user: Any) -> Q:
    """Rows opened to the user by a break-the-glass grant that has not expired (ADR 0017).

    Both parts are subqueries of the one SQL statement, so honouring grants costs no extra query:
    the records the user's live grants list, and only while the record is in the programme of the
    user's team (a grant never reaches into another programme, even if the record moves)."""
    from oila.registry.models import BreakGlassRecord

    if not user.team_id:
        return NOTHING
    granted = BreakGlassRecord.objects.filter(
        grant__user=user.pk,
        grant__expires_at__gt=timezone.now(),
        grant__programme__teams=user.team_id,
    ).values("record_id")
    programme = Team.objects.filter(pk=user.team_id).values("programme_id")
    # InSubquery: the subqueries run once, so `caseworker = me OR <granted>` stays index scans.
    return Q(InSubquery("pk", granted)) & Q(InSubquery("programme", programme))


def can_register(user: Any) -> bool:
    """Who may register households and people (and edit those they can see)."""
    return bool(works_with_cases(user))
