"""Cases for tests, made through the services (state changes never bypass them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.cases import services
from oila.cases.models import Case
from oila.registry import services as registry


def open_case(actor: Any, household: Any, **kwargs: Any) -> Case:
    """A family case (by default, medium risk) of a household, opened by `actor`."""
    kwargs.setdefault("kind", Case.Kind.FAMILY)
    kwargs.setdefault("risk", Case.Risk.MEDIUM)
    return services.case_open(actor=actor, household=household, **kwargs)


def child_case(actor: Any, household: Any, child: Any, **kwargs: Any) -> Case:
    return open_case(actor, household, kind=Case.Kind.CHILD, subject=child, **kwargs)


def sharing_consent(actor: Any, person: Any, given_on: dt.date | None = None) -> Any:
    return registry.consent_record(
        actor=actor,
        person=person,
        data={
            "purpose": "information_sharing",
            "given_by": "caregiver",
            "given_on": given_on or dt.date(2024, 1, 1),
        },
    )


def request_closure(actor: Any, case: Case, reason: str = "goals_met", **kwargs: Any) -> Case:
    kwargs.setdefault("note", "The family is stable.")
    kwargs.setdefault("goals_met", reason == "goals_met")
    return services.case_closure_request(actor=actor, case=case, reason=reason, **kwargs)
