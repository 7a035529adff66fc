"""Template helpers of the page frame for services and referrals (the navigation's links)."""

from __future__ import annotations

from typing import Any

from django import template

from oila.accounts.rules import is_partner

register = template.Library()


@register.filter
def partner_inbox(user: Any) -> bool:
    """Whether the user has a referral inbox (partner focal points)."""
    return bool(is_partner(user))
