"""Results pages: the dashboard (targets against actuals, beneficiary status), one indicator (trend
and breakdowns), the framework editor and the donor report downloads.

Only the programme's M&E officers and programme managers get them; everyone else a 404. The pages
show aggregates only: no name, PINFL or narrative is ever read here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.accounts.models import Programme
from oila.audit import services as audit
from oila.common.dates import today
from oila.registry.views.base import AuthedRequest, form_page, post_data
from oila.results import charts, engine, exports, selectors, services
from oila.results.definitions import DIMENSIONS, SOURCES
from oila.results.forms import IndicatorForm, OutcomeForm, OutputForm, TargetForm

FORM = "results/form.html"


def results_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in M&E officers and managers of the programme named in the URL; a 404 otherwise."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        programme = selectors.programme_get(user=request.user, slug=slug)
        return view(request, programme, *args, **kwargs)

    return wrapper


def _year(request: HttpRequest, programme: Programme) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today().year
    return year if programme.starts_on.year - 1 <= year <= today().year + 5 else today().year


def _years(programme: Programme) -> list[int]:
    last = max(today().year, programme.ends_on.year if programme.ends_on else today().year)
    return list(range(programme.starts_on.year, last + 1))


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    programmes = list(selectors.results_programmes(user=request.user))
    if not programmes:
        raise Http404
    if len(programmes) == 1:
        return redirect("results:dashboard", programmes[0].slug)
    return render(request, "results/index.html", {"programmes": programmes})


@results_view
@require_GET
def dashboard(request: AuthedRequest, programme: Programme) -> HttpResponse:
    year = _year(request, programme)
    period = engine.Period.of_year(year)
    rows = []
    for outcome in selectors.framework(programme=programme):
        items = []
        for indicator in outcome.indicators.all():
            cell = engine.compute_total(indicator, period)
            target = selectors.target_for(indicator, period)
            progress = None
            if cell.value is not None and target:
                progress = max(0.0, min(1.0, cell.value / target))
            items.append({"indicator": indicator, "cell": cell, "target": target,
                          "progress": None if progress is None else round(progress * 100)})  # fmt: skip
        rows.append({"outcome": outcome, "items": items})
    status = selectors.status_accounting(programme=programme, periods=period.quarters())
    return render(
        request,
        "results/dashboard.html",
        {"programme": programme, "year": year, "years": _years(programme), "rows": rows,
         "status": status, "formats": exports.FORMATS},
    )  # fmt: skip


@results_view
@require_GET
def indicator_detail(
    request: AuthedRequest, programme: Programme, indicator_id: UUID
) -> HttpResponse:
    indicator = selectors.indicator_get(programme=programme, indicator_id=indicator_id)
    year = _year(request, programme)
    quarter = request.GET.get("quarter", "")
    period = (
        engine.Period.of_quarter(year, int(quarter))
        if quarter in ("1", "2", "3", "4")
        else engine.Period.of_year(year)
    )
    result = engine.compute(indicator, period)
    trend = []
    for q in engine.Period.of_year(year).quarters():
        cell = engine.compute_total(indicator, q)
        trend.append(
            (f"Q{q.quarter}", cell.value, cell.display, selectors.target_for(indicator, q))
        )
    breakdowns = [
        (engine.dimension_label(dim), cells,
         charts.rows([(c.label, c.value, c.display, None) for c in cells],
                     percentage=indicator.is_percentage))
        for dim, cells in result.breakdowns.items()
    ]  # fmt: skip
    return render(
        request,
        "results/indicator.html",
        {"programme": programme, "indicator": indicator, "result": result, "period": period,
         "year": year, "years": _years(programme), "quarter": quarter,
         "trend": charts.columns(trend, percentage=indicator.is_percentage), "breakdowns": breakdowns,
         "target": selectors.target_for(indicator, period),
         "description": exports.describe(indicator.definition)},
    )  # fmt: skip


@results_view
@require_GET
def export(request: AuthedRequest, programme: Programme, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    year = _year(request, programme)
    data = exports.export(programme=programme, fmt=fmt, year=year, language=get_language())
    audit.record(
        actor=request.user,
        action=f"results.export.{fmt}",
        target=programme,
        note=f"year={year}",
        kind="read",
    )
    response = HttpResponse(data, content_type=exports.FORMATS[fmt][0])
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(programme, fmt, year)}"'
    )
    return response


# ---------------------------------------------------------------------------------------------------
# The framework editor


def _framework_url(programme: Programme) -> str:
    return reverse("results:framework", args=[programme.slug])


@results_view
@require_GET
def framework(request: AuthedRequest, programme: Programme) -> HttpResponse:
    return render(
        request,
        "results/framework.html",
        {"programme": programme, "outcomes": selectors.framework(programme=programme)},
    )


def _context(programme: Programme, title: str, back: str, **extra: Any) -> dict[str, Any]:
    return {"programme": programme, "title": title, "back_url": back, **extra}


@results_view
def outcome_new(request: AuthedRequest, programme: Programme) -> HttpResponse:
    form = OutcomeForm(post_data(request))
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(programme, _("New outcome"), _framework_url(programme)),
        save=lambda: services.outcome_create(
            actor=request.user, programme=programme, data=form.cleaned_data
        ),
        success=_("The outcome was added."),
    )


@results_view
def outcome_edit(request: AuthedRequest, programme: Programme, outcome_id: UUID) -> HttpResponse:
    outcome = selectors.outcome_get(programme=programme, outcome_id=outcome_id)
    form = OutcomeForm(
        post_data(request), initial={n: getattr(outcome, n) for n in ("code", "title", "order")}
    )
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(programme, _("Change the outcome"), _framework_url(programme)),
        save=lambda: services.outcome_update(
            actor=request.user, outcome=outcome, data=form.cleaned_data
        ),
        success=_("The outcome was saved."),
    )


@results_view
def output_new(request: AuthedRequest, programme: Programme, outcome_id: UUID) -> HttpResponse:
    outcome = selectors.outcome_get(programme=programme, outcome_id=outcome_id)
    form = OutputForm(post_data(request))
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(programme, _("New output under %(code)s") % {"code": outcome.code},
                         _framework_url(programme)),
        save=lambda: services.output_create(actor=request.user, outcome=outcome, data=form.cleaned_data),
        success=_("The output was added."),
    )  # fmt: skip


@results_view
def output_edit(request: AuthedRequest, programme: Programme, output_id: UUID) -> HttpResponse:
    output = selectors.output_get(programme=programme, output_id=output_id)
    form = OutputForm(
        post_data(request), initial={n: getattr(output, n) for n in ("code", "title", "order")}
    )
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(programme, _("Change the output"), _framework_url(programme)),
        save=lambda: services.output_update(
            actor=request.user, output=output, data=form.cleaned_data
        ),
        success=_("The output was saved."),
    )


def _indicator_context(programme: Programme, title: str, back: str) -> dict[str, Any]:
    return _context(programme, title, back, sources=SOURCES.values(), dimensions=DIMENSIONS,
                    indicator_form=True)  # fmt: skip


@results_view
def indicator_new(request: AuthedRequest, programme: Programme) -> HttpResponse:
    form = IndicatorForm(post_data(request), programme=programme)
    return form_page(
        request,
        form,
        template=FORM,
        context=_indicator_context(programme, _("New indicator"), _framework_url(programme)),
        save=lambda: services.indicator_create(
            actor=request.user, programme=programme, data=form.service_data()
        ),
        success=_("The indicator was added."),
    )


@results_view
def indicator_edit(
    request: AuthedRequest, programme: Programme, indicator_id: UUID
) -> HttpResponse:
    indicator = selectors.indicator_get(programme=programme, indicator_id=indicator_id)
    initial = {name: getattr(indicator, name) for name in IndicatorForm.Meta.fields}
    form = IndicatorForm(post_data(request), programme=programme, initial=initial)
    return form_page(
        request,
        form,
        template=FORM,
        context=_indicator_context(
            programme, _("Change the indicator"), indicator.get_absolute_url()
        ),
        save=lambda: services.indicator_update(
            actor=request.user, indicator=indicator, data=form.service_data()
        ),
        success=_("The indicator was saved."),
    )


@results_view
def target_new(request: AuthedRequest, programme: Programme, indicator_id: UUID) -> HttpResponse:
    indicator = selectors.indicator_get(programme=programme, indicator_id=indicator_id)
    form = TargetForm(post_data(request), initial={"year": today().year})
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(programme, _("Set a target for %(code)s") % {"code": indicator.code},
                         indicator.get_absolute_url()),
        save=lambda: services.target_set(actor=request.user, indicator=indicator, **form.cleaned_data),
        success=_("The target was saved."),
    )  # fmt: skip


@results_view
def target_edit(request: AuthedRequest, programme: Programme, target_id: UUID) -> HttpResponse:
    target = selectors.target_get(programme=programme, target_id=target_id)
    indicator = target.indicator
    initial = {n: getattr(target, n) for n in ("year", "quarter", "value", "note")}
    form = TargetForm(post_data(request), initial=initial)
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(programme, _("Change the target"), indicator.get_absolute_url()),
        save=lambda: services.target_update(
            actor=request.user, target=target, data=form.cleaned_data
        ),
        success=_("The target was saved."),
    )


@results_view
@require_POST
def target_delete(request: AuthedRequest, programme: Programme, target_id: UUID) -> HttpResponse:
    target = selectors.target_get(programme=programme, target_id=target_id)
    back = target.indicator.get_absolute_url()
    services.target_delete(actor=request.user, target=target)
    messages.success(request, _("The target was removed."))
    return redirect(back)
