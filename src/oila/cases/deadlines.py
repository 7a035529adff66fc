"""Deadlines of a case, computed from a programme's settings: pure functions, no database.

The defaults are in accounts.models.PROGRAMME_DEFAULTS (DOMAIN.md §2-4); a programme overrides any of
them in its `settings`. The case services store the results on the case (assessment_due_at,
plan_due_on, visit_due_on, reassessment_due_on) so that "what is due" is one indexed query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol


class HasSettings(Protocol):
    def setting(self, key: str) -> Any: ...


@dataclass(frozen=True)
class DeadlineRules:
    """The settings that deadlines depend on, read once from a programme."""

    response_hours: dict[str, int]
    visit_interval_days: dict[str, int]
    plan_due_days: int
    csi_reassessment_months: int
    placement_review_months: int

    @classmethod
    def of(cls, programme: HasSettings) -> DeadlineRules:
        return cls(
            response_hours=dict(programme.setting("response_hours")),
            visit_interval_days=dict(programme.setting("visit_interval_days")),
            plan_due_days=int(programme.setting("plan_due_days")),
            csi_reassessment_months=int(programme.setting("csi_reassessment_months")),
            placement_review_months=int(programme.setting("placement_review_months")),
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (31 Aug + 6 → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def assessment_due(rules: DeadlineRules, *, risk: str, identified_at: dt.datetime) -> dt.datetime:
    """When the initial assessment is due: the response time of the risk level after identification."""
    return identified_at + dt.timedelta(hours=rules.response_hours[risk])


def visit_due(rules: DeadlineRules, *, risk: str, since: dt.date) -> dt.date:
    """When the next visit is due, counted from the last visit (or from the opening of the case)."""
    return since + dt.timedelta(days=rules.visit_interval_days[risk])


def plan_due(rules: DeadlineRules, *, assessed_on: dt.date) -> dt.date:
    """When the case plan is due: plan_due_days after the assessment."""
    return assessed_on + dt.timedelta(days=rules.plan_due_days)


def reassessment_due(rules: DeadlineRules, *, assessed_on: dt.date) -> dt.date:
    """When the next CSI is due: csi_reassessment_months after the last one."""
    return add_months(assessed_on, rules.csi_reassessment_months)


def placement_review_due(rules: DeadlineRules, *, since: dt.date) -> dt.date:
    """When a formal care placement is next reviewed, counted from its start or its last review."""
    return add_months(since, rules.placement_review_months)


OVERDUE, TODAY, WEEK = "overdue", "today", "week"


def bucket(due_on: dt.date, *, today: dt.date) -> str | None:
    """Which list a deadline goes in: overdue, due today, due in the next six days, or none yet."""
    if due_on < today:
        return OVERDUE
    if due_on == today:
        return TODAY
    if due_on <= week_end(today):
        return WEEK
    return None


def week_end(today: dt.date) -> dt.date:
    """The last day of "this week": the next seven days, today included."""
    return today + dt.timedelta(days=6)
