"""Role predicates (django-rules). What a role may do; which records it sees is registry.visibility."""

from __future__ import annotations

from typing import Any

import rules

from oila.accounts.models import Role


def _role(*roles: str) -> Any:
    @rules.predicate
    def has_role(user: Any) -> bool:
        return bool(
            getattr(user, "is_authenticated", False) and user.is_active and user.role in roles
        )

    return has_role


is_caseworker = _role(Role.CASEWORKER)
is_supervisor = _role(Role.SUPERVISOR)
is_manager = _role(Role.MANAGER)
is_me_officer = _role(Role.ME_OFFICER)
is_partner = _role(Role.PARTNER)
is_dpo = _role(Role.DPO)
is_admin = _role(Role.ADMIN)
works_with_cases = _role(Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER)
