"""Cases carry the registry's owner fields, so the registry's one rule decides who sees them."""

from oila.registry.visibility import can_register as can_work_cases
from oila.registry.visibility import owned_scope

__all__ = ["can_work_cases", "owned_scope"]
