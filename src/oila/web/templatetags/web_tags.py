"""Template helpers of the page frame."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language_info

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
