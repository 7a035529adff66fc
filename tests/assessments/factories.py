"""Cases and assessments for tests, made through the services (state changes never bypass them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.assessments import selectors, services
from oila.assessments.models import Assessment, Instrument
from oila.cases import services as cases
from oila.cases.models import Case
from oila.common.dates import today

CSI_CODES = ["1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "5B", "6A", "6B"]


def open_case(actor: Any, household: Any, **kwargs: Any) -> Case:
    """A family case (medium risk unless said otherwise) of a household, opened by `actor`."""
    kwargs.setdefault("kind", Case.Kind.FAMILY)
    kwargs.setdefault("risk", Case.Risk.MEDIUM)
    return cases.case_open(actor=actor, household=household, **kwargs)


def instrument(code: str = "csi") -> Instrument:
    return selectors.instrument_current(code=code)


def scores_for(instrument_: Instrument, default: int = 4, **overrides: int) -> dict[str, int]:
    """Every item of the instrument scored `default`, except those given (1A=1 …)."""
    return {item.code: overrides.get(item.code, default) for item in instrument_.items.all()}


def csi_scores(default: int = 4, **overrides: int) -> dict[str, int]:
    return {code: overrides.get(code, default) for code in CSI_CODES}


def record(
    actor: Any,
    case: Case,
    *,
    code: str = "csi",
    scores: dict[str, int] | None = None,
    assessed_on: dt.date | None = None,
    subject: Any = None,
    **kwargs: Any,
) -> Assessment:
    """An assessment through the service; a CSI of the child by default, everything scored 4."""
    inst = instrument(code)
    if scores is None:
        scores = scores_for(inst)
    return services.assessment_record(
        actor=actor,
        case=case,
        instrument=inst,
        assessed_on=assessed_on or today(),
        scores=scores,
        subject=subject,
        **kwargs,
    )
