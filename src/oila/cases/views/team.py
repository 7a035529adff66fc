"""Pages for supervisors and managers: the team's caseload and the alternative-care report."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oila.cases import selectors
from oila.cases.forms import ReportPeriodForm
from oila.common.dates import today

from .base import AuthedRequest, supervisors_only


@supervisors_only
@require_GET
def team_dashboard(request: AuthedRequest) -> HttpResponse:
    board = selectors.team_dashboard(user=request.user, today=today())
    return render(request, "cases/team_dashboard.html", {"board": board, "today": today()})


@supervisors_only
@require_GET
def alternative_care_report(request: AuthedRequest) -> HttpResponse:
    form = ReportPeriodForm(request.GET or None)
    start, end = form.period()
    report = selectors.alternative_care_report(user=request.user, start=start, end=end)
    return render(request, "cases/alternative_care_report.html", {"form": form, "report": report})
