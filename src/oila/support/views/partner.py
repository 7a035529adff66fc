"""The partner agency's inbox: the referrals addressed to its agency, with the shared fields only.

The templates get `SharedReferral`s (selectors.shared_referral), never a model instance: what the
programme did not choose to share is not in the page's context at all.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.support import selectors, services
from oila.support.forms import DeclineForm, ReferralFilterForm, ReportForm

from .base import AuthedRequest, attempt, partner_only


def _detail_url(referral_id: Any) -> str:
    return reverse("support:partner-referral", args=[referral_id])


@partner_only
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    form = ReferralFilterForm(request.GET)
    referrals = selectors.partner_referral_list(user=request.user, **form.values())
    return render(request, "support/partner_inbox.html", {"form": form, "referrals": referrals})


def _page(
    request: AuthedRequest, referral_id: Any, status: int = 200, **forms: Any
) -> HttpResponse:
    referral = selectors.partner_referral_detail(
        user=request.user, referral_id=referral_id, audit_read=status == 200
    )
    context = {
        "referral": referral,
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "report_form": forms.get("report_form") or ReportForm(),
    }
    return render(request, "support/partner_referral.html", context, status=status)


@partner_only
@require_GET
def detail(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    return _page(request, referral_id)


@partner_only
@require_POST
def accept(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)
    attempt(
        request,
        lambda: services.referral_accept(actor=request.user, referral=referral),
        _("You accepted the referral."),
    )
    return redirect(_detail_url(referral_id))


@partner_only
@require_POST
def decline(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)
    form = DeclineForm(request.POST)
    if form.is_valid() and attempt(
        request,
        lambda: services.referral_decline(
            actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
        ),
        _("You declined the referral."),
    ):
        return redirect(_detail_url(referral_id))
    return _page(request, referral_id, status=422, decline_form=form)


@partner_only
@require_POST
def report(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)
    form = ReportForm(request.POST)
    if form.is_valid() and attempt(
        request,
        lambda: services.referral_report(
            actor=request.user, referral=referral, **form.service_data()
        ),
        _("Thank you: the outcome was sent to the programme."),
    ):
        return redirect(_detail_url(referral_id))
    return _page(request, referral_id, status=422, report_form=form)
