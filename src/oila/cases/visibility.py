"""Cases carry the registry's owner fields, so the registry's one rule decides who sees them.

What a role may *do* to a case it sees: every case role works on it; approving closures, reassigning
and transferring is for the supervisors of the case's team (and the programme's managers).
"""

from __future__ import annotations

from typing import Any

from oila.accounts.models import Role
from oila.accounts.rules import is_manager, is_supervisor
from oila.registry.visibility import can_register as can_work_cases
from oila.registry.visibility import owned_scope


def supervises_cases(user: Any) -> bool:
    """Supervisors and programme managers: the team dashboard, reports and decisions."""
    return bool(is_supervisor(user) or is_manager(user))


def can_decide(user: Any, case: Any) -> bool:
    """Whether the user may approve the case's closure, reassign it or transfer it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.SUPERVISOR:
        return user.team_id is not None and user.team_id == case.team_id
    if user.role == Role.MANAGER:
        return user.programmes.filter(pk=case.programme_id).exists()
    return False


__all__ = ["can_decide", "can_work_cases", "owned_scope", "supervises_cases"]
