"""Template filters of the duplicate pages."""

from __future__ import annotations

from typing import Any

from django import template

from oila.dedup.services import can_review
from oila.registry.matching import REASONS

register = template.Library()


@register.filter
def can_review_duplicates(user: Any) -> bool:
    return can_review(user)


@register.filter
def reason_labels(codes: list[str]) -> str:
    """The reasons a pair was proposed, in the reader's language."""
    return ", ".join(str(REASONS.get(c, c)) for c in codes or [])
