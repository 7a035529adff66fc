"""Who works on a programme (and so may manage its public page's gallery)."""

from __future__ import annotations

from typing import Any

from oila.accounts.models import Programme, Role


def works_on(user: Any, programme: Programme) -> bool:
    """Staff of the programme: its managers, and the caseworkers and supervisors of its teams."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == Role.MANAGER:
        return user.programmes.filter(pk=programme.pk).exists()
    if user.role in (Role.CASEWORKER, Role.SUPERVISOR):
        return user.team is not None and user.team.programme_id == programme.pk
    return False
