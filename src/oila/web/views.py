"""The page frame's own pages: the home page ("my work")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from oila.accounts.models import Role
from oila.accounts.rules import works_with_cases
from oila.cases import selectors as cases
from oila.common.dates import today
from oila.registry import selectors
from oila.registry.views.base import AuthedRequest
from oila.support import selectors as support
from oila.youth import selectors as youth

# What each role that does not work with cases sees (DESIGN.md, "Roles and what they see").
ROLE_SCOPE: dict[str, Any] = {
    Role.ME_OFFICER: _(
        "As an M&E officer you see aggregated figures and pseudonymised rows only: indicators, "
        "targets and donor reports. Names and case notes are not shown to your role."
    ),
    Role.PARTNER: _(
        "As a partner focal point you see only the referrals addressed to your agency, with the "
        "minimum information needed to act on them."
    ),
    Role.DPO: _(
        "As the data protection officer you see the audit log, consent records and access "
        "reports. You do not see case contents."
    ),
    Role.ADMIN: _(
        "As an administrator you manage users, roles and configuration in the administration "
        "pages. Case contents are not shown to your role."
    ),
}


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    if not works_with_cases(request.user):
        scope = ROLE_SCOPE.get(request.user.role, _("Your role does not give access to case data."))
        context: dict[str, Any] = {"scope": scope}
        if request.user.role == Role.PARTNER:  # their referral inbox at a glance
            context["summary"] = support.partner_summary(user=request.user)
        return render(request, "web/home_other.html", context)
    work = selectors.my_work(user=request.user)
    day = today()
    due = cases.due_overview(user=request.user, today=day)
    youth_due = youth.follow_ups_due(user=request.user, today=day)
    return render(request, "web/home.html", {"work": work, "due": due, "youth_due": youth_due})
