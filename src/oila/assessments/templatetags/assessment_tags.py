"""Template helpers for assessments: a small server-rendered trend line (no JavaScript) and changes."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, HEIGHT, PAD = 80, 24, 3


@register.simple_tag
def sparkline(values: Sequence[int], low: int = 1, high: int = 4) -> SafeString:
    """An inline SVG line of scores over time, oldest on the left, the best score at the top."""
    values = [int(v) for v in values]
    if not values:
        return SafeString("")
    low, high = min(low, *values), max(high, *values)
    span = (high - low) or 1
    step = (WIDTH - 2 * PAD) / (len(values) - 1) if len(values) > 1 else 0
    points = [
        (
            round(PAD + i * step if len(values) > 1 else WIDTH / 2, 1),
            round(PAD + (high - v) / span * (HEIGHT - 2 * PAD), 1),
        )
        for i, v in enumerate(values)
    ]
    label = _("Scores over time: %(scores)s") % {"scores": ", ".join(str(v) for v in values)}
    line = (
        format_html(
            '<polyline class="spark-line" fill="none" points="{}"/>',
            " ".join(f"{x},{y}" for x, y in points),
        )
        if len(points) > 1
        else ""
    )
    dots = format_html_join("", '<circle class="spark-dot" cx="{}" cy="{}" r="2.5"/>', points[-1:])
    return format_html(
        '<svg class="sparkline" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}"><title>{}</title>{}{}</svg>',
        label,
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        line,
        dots,
    )


@register.filter
def signed(value: int) -> str:
    """A change as +1, −1 or 0."""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "0"


@register.filter
def change_class(value: int) -> str:
    return "better" if value > 0 else "worse" if value < 0 else "same"


@register.filter
def low_scores(assessment: object, at_or_below: int = 2) -> int:
    """How many items of an assessment scored at or below its instrument's goal threshold."""
    threshold = getattr(getattr(assessment, "instrument", None), "goal_at_or_below", at_or_below)
    return sum(1 for s in assessment.scores.all() if s.value <= threshold)  # type: ignore[attr-defined]
