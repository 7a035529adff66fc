"""Template helpers of the case pages: deadline labels, the six steps, dates due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oila.cases import deadlines
from oila.cases.models import Case
from oila.registry.models import CareArrangement

register = template.Library()

DUE_LABELS = {
    "assessment": _("initial assessment"),
    "plan": _("case plan"),
    "visit": _("visit"),
    "reassessment": _("CSI reassessment"),
    "placement_review": _("placement review"),
}


@register.filter
def due_label(kind: str) -> Any:
    """What a deadline is for, in the reader's language."""
    return DUE_LABELS.get(kind, kind)


@register.filter
def due_class(due: dt.date | dt.datetime | None, today: dt.date) -> str:
    """A CSS class for a stored deadline: overdue, today or this week."""
    if due is None:
        return ""
    if isinstance(due, dt.datetime):
        due = timezone.localtime(due).date()
    return f"due-{deadlines.bucket(due, today=today) or 'later'}"


@register.filter
def care_label(code: str) -> Any:
    """The label of a kind of care from its code."""
    try:
        return CareArrangement.Type(code).label
    except ValueError:
        return code


@register.simple_tag
def case_steps(case: Case) -> list[tuple[int, Any, str]]:
    """The six steps with their state: done, current or to come."""
    return [
        (value, label, "done" if value < case.step else "current" if value == case.step else "")
        for value, label in Case.Step.choices
    ]


@register.simple_tag
def due_sections(due: Any, only: str = "") -> list[tuple[Any, list[Any], str, int, str]]:
    """(title, items shown, css class, how many in all, list key) of the overdue, due-today and
    due-this-week lists; the number is the list's length unless the lists were cut (an overview)."""
    return [
        (title, items, css, due.total(key) if hasattr(due, "total") else len(items), key)
        for title, items, css in due_lists(due, only)
        for key in [css.removeprefix("due-")]
    ]


@register.simple_tag
def due_lists(due: Any, only: str = "") -> list[tuple[Any, list[Any], str]]:
    """(title, items, css class) of the overdue, due-today and due-this-week lists."""
    titles = {"overdue": _("Overdue"), "today": _("Due today"), "week": _("Due this week")}
    return [
        (title, getattr(due, key, []), f"due-{key}")
        for key, title in titles.items()
        if not only or key == only
    ]
