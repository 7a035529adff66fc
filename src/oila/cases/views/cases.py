"""The case list, one case's page, and opening a case from a household's page."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oila.cases import selectors, services
from oila.cases.forms import CaseFilterForm, CaseOpenForm, DueListForm
from oila.cases.visibility import can_decide
from oila.common.dates import today
from oila.registry import selectors as registry
from oila.registry.views.base import registrar_required

from .base import AuthedRequest, case_roles_only, form_page, post_data

PER_PAGE = 25
DUE_PER_PAGE = 50


@case_roles_only
@require_GET
def case_list(request: AuthedRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET)
    cases = selectors.case_list(user=request.user, filters=form.filters())
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    partial = request.htmx and not request.htmx.history_restore_request
    template = "cases/_case_results.html" if partial else "cases/case_list.html"
    response = render(request, template, {"form": form, "page": page, "today": today()})
    patch_vary_headers(response, ["HX-Request"])
    return response


@case_roles_only
@require_GET
def due_list(request: AuthedRequest) -> HttpResponse:
    """Every deadline of one kind in one list (overdue, today, this week), page by page: the full
    list behind the home page's counts."""
    form = DueListForm(request.GET or None)
    kind, bucket = form.choice()
    day = today()
    rows = selectors.due_list(user=request.user, today=day, kind=kind, bucket=bucket)
    page = Paginator(rows, DUE_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "kind": kind, "bucket": bucket}
    return render(request, "cases/due_list.html", context)


@case_roles_only
@require_GET
def case_detail(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    detail = selectors.case_detail(user=request.user, case_id=case_id)
    context = {
        "detail": detail,
        "case": detail.case,
        "may_decide": can_decide(request.user, detail.case),
        "today": today(),
    }
    return render(request, "cases/case_detail.html", context)


@registrar_required
def case_open(request: AuthedRequest, household_id: UUID) -> HttpResponse:
    household = registry.household_get(user=request.user, household_id=household_id)
    form = CaseOpenForm(post_data(request), household=household)
    return form_page(
        request,
        form,
        template="cases/case_open.html",
        context={"household": household},
        save=lambda: services.case_open(
            actor=request.user, household=household, **form.service_data()
        ),
        success=_("The case was opened."),
    )
