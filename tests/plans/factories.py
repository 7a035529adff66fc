"""Plans for tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.cases.models import Case
from oila.common.dates import today
from oila.plans import services
from oila.plans.models import Plan


def action(actor: Any, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("description", "Visit the school with the mother")
    kwargs.setdefault("due_on", today() + dt.timedelta(days=14))
    if "responsible_organisation" not in kwargs:
        kwargs.setdefault("responsible_user", actor)
    return kwargs


def draft(actor: Any, case: Case, goals: list[dict[str, Any]] | None = None) -> Plan:
    """A draft with one goal and one action (done by `actor`) unless goals are given."""
    if goals is None:
        goals = [{"text": "Shahnoza attends school every day", "actions": [action(actor)]}]
    return services.plan_create(
        actor=actor, case=case, review_on=today() + dt.timedelta(days=90), goals=goals
    )


def submitted(actor: Any, case: Case, **kwargs: Any) -> Plan:
    return services.plan_submit(actor=actor, plan=draft(actor, case, **kwargs))


def approved(actor: Any, supervisor: Any, case: Case, **kwargs: Any) -> Plan:
    plan = submitted(actor, case, **kwargs)
    return services.plan_decide(actor=supervisor, plan=plan, approve=True, comment="Good plan.")
