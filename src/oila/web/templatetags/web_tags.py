"""Template helpers of the page frame."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.translation import get_language_info

from oila.accounts.rules import is_dpo
from oila.accounts.selectors import unread_count
from oila.cases.visibility import supervises_cases
from oila.registry.visibility import may_break_glass

register = template.Library()


@register.filter
def language_name_local(code: str) -> str:
    """A language's name in that language, so anyone can find their own in the switcher."""
    extra = getattr(settings, "EXTRA_LANG_INFO", {})
    if code in extra:
        return str(extra[code]["name_local"])
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    """How many unread notifications the signed-in user has (the bell in the navigation)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user=user)


@register.filter
def supervises(user: Any) -> bool:
    """Whether the user sees the team pages (supervisors and managers)."""
    return supervises_cases(user)


@register.filter
def dpo_pages(user: Any) -> bool:
    """Whether the user sees the data-protection pages (the data protection officer)."""
    return bool(is_dpo(user))


@register.filter
def can_break_glass(user: Any) -> bool:
    """Whether the user may open an out-of-scope record in an emergency (ADR 0017)."""
    return may_break_glass(user)
