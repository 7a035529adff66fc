"""Template filters for registry pages: ages, masked identifiers, disability answers, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from oila.common.dates import age_on, today
from oila.registry.models import Household, Person
from oila.registry.visibility import can_register as _can_register

register = template.Library()

_CHOICES = {"income": Household.Income, "benefit": Household.Benefit}


@register.filter
def age(birth_date: dt.date | None) -> int | None:
    """Age in whole years today (None when the date of birth is not known)."""
    return age_on(birth_date, today())


@register.filter
def pinfl_masked(pinfl: str | None) -> str:
    """Only the last four digits of an identifier are ever shown on a page."""
    if not pinfl:
        return ""
    return "•" * max(len(pinfl) - 4, 0) + pinfl[-4:]


@register.filter
def wg_answers(person: Person) -> list[tuple[str, str]]:
    """The Washington Group questions that were answered, as (question, answer) pairs."""
    answers = []
    for name in Person.WG_FIELDS:
        if getattr(person, name) is not None:
            question = Person._meta.get_field(name).verbose_name  # type: ignore[union-attr]
            answers.append((str(question), getattr(person, f"get_{name}_display")()))
    return answers


@register.filter
def can_register(user: Any) -> bool:
    """Whether the user's role registers and edits families (for showing links and buttons)."""
    return _can_register(user)


@register.filter
def choice_labels(values: list[str] | None, kind: str) -> list[str]:
    """The labels of codes stored in a list (a household's income sources or state benefits)."""
    labels = dict(_CHOICES[kind].choices)
    return [str(labels.get(value, value)) for value in values or []]


@register.filter
def current(memberships: Any) -> list[Any]:
    """Memberships (or arrangements) that have not ended."""
    return [m for m in memberships if m.ended_on is None]


@register.filter
def former(memberships: Any) -> list[Any]:
    """Memberships (or arrangements) that have ended."""
    return [m for m in memberships if m.ended_on is not None]
