"""Template filters for the import and export links."""

from __future__ import annotations

from typing import Any

from django import template

from oila.transfer.views import may_transfer as _may_transfer

register = template.Library()


@register.filter
def may_transfer(user: Any) -> bool:
    """Whether the user imports registers or exports lists (the navigation's link)."""
    return _may_transfer(user)
