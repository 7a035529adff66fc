"""Template helpers of the results pages (the navigation's link)."""

from __future__ import annotations

from typing import Any

from django import template

from oila.results.selectors import may_see_results

register = template.Library()


@register.filter
def results_pages(user: Any) -> bool:
    """Whether the user sees the results framework (M&E officers and programme managers)."""
    return may_see_results(user)
