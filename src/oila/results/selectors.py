"""Reads of the results framework. Who sees results (docs/security matrix): the programme's M&E
officers and programme managers, for the programmes they are attached to; everyone else gets a 404.
Results are aggregates: nothing here returns a name, a PINFL or a narrative.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from oila.accounts.models import Programme, Role
from oila.accounts.selectors import programmes_of
from oila.common.dates import today
from oila.common.ids import uuid_or_404
from oila.registry.models import Enrolment
from oila.results import engine
from oila.results.models import Indicator, Outcome, Output, Target

T = TypeVar("T")

RESULTS_ROLES = (Role.ME_OFFICER, Role.MANAGER)


def may_see_results(user: Any) -> bool:
    """M&E officers and programme managers read (and edit) results frameworks."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role in RESULTS_ROLES
    )


def results_programmes(*, user: Any) -> QuerySet[Programme]:
    """The programmes whose results the user may see."""
    if not may_see_results(user):
        return Programme.objects.none()
    return programmes_of(user=user).order_by("name")


def programme_get(*, user: Any, slug: str) -> Programme:
    """One of the user's programmes by its short name; 404 otherwise."""
    programme = results_programmes(user=user).filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


def framework(*, programme: Programme) -> list[Outcome]:
    """The programme's outcomes with their outputs, indicators and targets (four queries)."""
    indicators = Indicator.objects.select_related("programme", "output").prefetch_related("targets")
    return list(
        Outcome.objects.filter(programme=programme)
        .prefetch_related(
            Prefetch("outputs", queryset=Output.objects.order_by("order", "code")),
            Prefetch("indicators", queryset=indicators.order_by("order", "code")),
        )
        .order_by("order", "code")
    )


def indicator_list(*, programme: Programme) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(programme=programme)
        .select_related("programme", "outcome", "output")
        .prefetch_related("targets")
        .order_by("outcome__order", "order", "code")
    )


def indicator_get(*, programme: Programme, indicator_id: Any) -> Indicator:
    indicator = indicator_list(programme=programme).filter(pk=uuid_or_404(indicator_id)).first()
    if indicator is None:
        raise Http404
    return indicator


def outcome_get(*, programme: Programme, outcome_id: Any) -> Outcome:
    outcome = Outcome.objects.filter(programme=programme, pk=uuid_or_404(outcome_id)).first()
    if outcome is None:
        raise Http404
    return outcome


def output_get(*, programme: Programme, output_id: Any) -> Output:
    output = (
        Output.objects.filter(outcome__programme=programme, pk=uuid_or_404(output_id))
        .select_related("outcome")
        .first()
    )
    if output is None:
        raise Http404
    return output


def target_get(*, programme: Programme, target_id: Any) -> Target:
    target = (
        Target.objects.filter(indicator__programme=programme, pk=uuid_or_404(target_id))
        .select_related("indicator__programme")
        .first()
    )
    if target is None:
        raise Http404
    return target


def target_for(indicator: Indicator, period: engine.Period) -> float | None:
    """The indicator's target for the period (from prefetched targets when there are some)."""
    for target in indicator.targets.all():
        if target.year == period.year and target.quarter == period.quarter:
            return float(target.value)
    return None


# ---------------------------------------------------------------------------------------------------
# The public programme page's figures (oila.public codes against this contract)


@dataclass(frozen=True)
class PublicIndicator:
    code: str
    name: str
    unit: str  # "count" | "percentage"
    actual: float | None
    target: float | None
    baseline: float | None
    progress: float | None  # actual / target, 0..1; None when either is unknown


@dataclass(frozen=True)
class PublicOutcome:
    code: str
    title: str
    indicators: list[PublicIndicator]


def public_outcomes(*, programme: Programme, year: int | None = None) -> list[PublicOutcome]:
    """Each outcome with its indicators' live totals for the current calendar year (or `year`) and
    that year's targets: no disaggregation, no personal data."""
    period = engine.Period.of_year(year or today().year)
    out = []
    for outcome in framework(programme=programme):
        items = []
        for indicator in outcome.indicators.all():
            actual = engine.compute_total(indicator, period).value
            target = target_for(indicator, period)
            progress = None
            if actual is not None and target:
                progress = max(0.0, min(1.0, actual / target))
            items.append(
                PublicIndicator(
                    code=indicator.code,
                    name=indicator.name,
                    unit=indicator.unit,
                    actual=actual,
                    target=target,
                    baseline=engine.as_number(indicator.baseline_value),
                    progress=progress,
                )
            )
        out.append(PublicOutcome(code=outcome.code, title=outcome.title, indicators=items))
    return out


# ---------------------------------------------------------------------------------------------------
# Beneficiary status accounting (DOMAIN.md §6, PEPFAR OVC_SERV style)


def _kept_for_version(programme: Programme, what: tuple[str, ...], compute: Callable[[], T]) -> T:
    """`compute()`, kept in the cache under the programme's data version (`public_version`, which
    every service that writes its enrolments, people or consents moves on; accounts.services): the
    same figures until a change commits, then new ones, in every web process. Only outside a
    transaction: a transaction that moved the version and rolled back could leave figures of
    writes that never happened under a version number that comes again."""
    if connection.in_atomic_block:
        return compute()
    key = f"oila:results:{programme.pk}:{programme.public_version}:" + ":".join(what)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=24 * 3600)
    return cast(T, found)


@dataclass(frozen=True)
class StatusRow:
    period: engine.Period
    opening: int  # active at the end of the previous period
    new: int
    graduated: int
    transferred: int
    exited: int
    closing: int  # active at the end of this period

    @property
    def balances(self) -> bool:
        """active(this) = active(last) + new − (graduated + transferred + exited)."""
        return self.closing == self.opening + self.new - (
            self.graduated + self.transferred + self.exited
        )


def status_accounting(
    *, programme: Programme, periods: list[engine.Period], group: str | None = None
) -> list[StatusRow]:
    """Enrolments active, newly enrolled, graduated, transferred and exited per period (consecutive
    periods, e.g. a year's quarters), from the enrolments' dates and statuses.

    One query places each enrolment's start and end among the periods (before the first, in one of
    them, after the last; an end may be none) and counts the enrolments by those places and status:
    a few dozen groups, from which every period's figures are added up. (The same figures as
    conditional counts, 24 of them for a year, cost PostgreSQL a third of a second over 600 000
    enrolments, in parallel workers that took both cores from every other request.)
    """
    for earlier, later in itertools.pairwise(periods):
        if later.start != earlier.end + dt.timedelta(days=1):
            raise ValueError("status_accounting counts consecutive periods")
    last = len(periods)

    def place(field: str, *, none: int) -> Case:
        whens = [When(**{f"{field}__isnull": True}, then=Value(none))]
        if periods:
            whens.append(When(**{f"{field}__lt": periods[0].start}, then=Value(-1)))
        whens += [When(**{f"{field}__lte": p.end}, then=Value(i)) for i, p in enumerate(periods)]
        return Case(*whens, default=Value(last), output_field=IntegerField())

    def count() -> list[tuple[int, int, str, int]]:
        qs = Enrolment.objects.filter(programme=programme)
        if group:
            qs = qs.filter(group=group)
        return list(
            qs.annotate(
                began=place("enrolled_on", none=last), ended=place("ended_on", none=last + 1)
            )
            .values("began", "ended", "status")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("began", "ended", "status", "n")
        )

    counted = _kept_for_version(
        programme,
        ("status", group or "", *(f"{p.start}/{p.end}" for p in periods)),
        count,
    )

    rows = []
    for i, period in enumerate(periods):
        opening = new = closing = 0
        left = dict.fromkeys(("graduated", "transferred", "exited"), 0)
        for began, ended, status, n in counted:
            if began < i <= ended:  # began before the period and had not ended before it
                opening += n
            if began == i:
                new += n
            if ended == i and status in left:
                left[status] += n
            if began <= i < ended:  # began by the period's end and ended after it (or not at all)
                closing += n
        rows.append(
            StatusRow(period, opening, new, left["graduated"], left["transferred"],
                      left["exited"], closing)
        )  # fmt: skip
    return rows
