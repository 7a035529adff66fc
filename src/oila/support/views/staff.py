"""The programme staff's pages: services delivered (individual and group), referrals, and a case's
services and referrals."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.cases.selectors import case_get
from oila.common.dates import today
from oila.support import selectors, services
from oila.support.forms import (
    DeclineForm,
    DeliveryFilterForm,
    DeliveryForm,
    ReferralFilterForm,
    ReferralForm,
    ReportForm,
)
from oila.support.models import Referral, ServiceDelivery
from oila.support.visibility import can_override_consent

from .base import AuthedRequest, attempt, case_roles_only, form_page, post_data

PER_PAGE = 25


def _narrowing(request: AuthedRequest) -> dict[str, Any]:
    """What narrows an attendance list: a name and a mahalla (from the page's search form)."""
    mahalla = request.GET.get("mahalla", "")
    try:
        mahalla_id = uuid.UUID(mahalla) if mahalla else None
    except ValueError:
        mahalla_id = None
    return {"q": request.GET.get("q", "")[:100], "mahalla": mahalla_id}


def _kind(request: AuthedRequest, default: str) -> str:
    kind = request.GET.get("kind", default)
    return kind if kind in ServiceDelivery.Kind.values else default


# ---------------------------------------------------------------------------------------------------
# Services delivered


@case_roles_only
@require_GET
def delivery_list(request: AuthedRequest) -> HttpResponse:
    form = DeliveryFilterForm(request.GET)
    deliveries = selectors.delivery_list(user=request.user, filters=form.filters())
    page = Paginator(deliveries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "support/delivery_list.html", {"form": form, "page": page})


@case_roles_only
def delivery_new(request: AuthedRequest) -> HttpResponse:
    """Record a group session (the default) or an individual service, on no case."""
    kind = _kind(request, ServiceDelivery.Kind.GROUP)
    programme_ids = selectors.user_programme_ids(user=request.user)
    form = DeliveryForm(
        post_data(request),
        user=request.user,
        kind=kind,
        programme_ids=programme_ids,
        **_narrowing(request),
    )
    return _delivery_form(request, form, kind=kind, case=None)


@case_roles_only
def case_delivery_new(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    """Record a service for one of a case's people (or a group session, from the case)."""
    case = case_get(user=request.user, case_id=case_id, audit_read=False)
    kind = _kind(request, ServiceDelivery.Kind.INDIVIDUAL)
    form = DeliveryForm(
        post_data(request),
        user=request.user,
        kind=kind,
        programme_ids=[case.programme_id],
        case=case,
        **_narrowing(request),
    )
    return _delivery_form(request, form, kind=kind, case=case)


def _delivery_form(
    request: AuthedRequest, form: DeliveryForm, *, kind: str, case: Any
) -> HttpResponse:
    title = (
        _("Record a group session") if kind == ServiceDelivery.Kind.GROUP else _("Record a service")
    )
    return form_page(
        request,
        form,
        template="support/delivery_form.html",
        context={
            "title": title,
            "kind": kind,
            "case": case,
            **_narrowing(request),
            # Evaluated only if the page is shown (not when a valid form is saved).
            "mahallas": selectors.attendee_mahallas(user=request.user),
        },
        save=lambda: services.delivery_record(actor=request.user, **form.service_data()),
        success=_("The service was recorded."),
    )


@case_roles_only
@require_GET
def delivery_detail(request: AuthedRequest, delivery_id: UUID) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, delivery_id=delivery_id)
    return render(request, "support/delivery_detail.html", {"delivery": delivery})


# ---------------------------------------------------------------------------------------------------
# A case's services and referrals (the case page loads this panel; without JavaScript it is a page)


@case_roles_only
@require_GET
def case_support(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    support = selectors.case_support(user=request.user, case_id=case_id)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "support/_case_support.html" if partial else "support/case_support.html"
    context = {"support": support, "case": support.case, "today": today()}
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---------------------------------------------------------------------------------------------------
# Referrals


@case_roles_only
@require_GET
def referral_list(request: AuthedRequest) -> HttpResponse:
    form = ReferralFilterForm(request.GET)
    referrals = selectors.referral_list(
        user=request.user, filters=selectors.ReferralFilters(**form.values())
    )
    page = Paginator(referrals, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "support/referral_list.html", {"form": form, "page": page})


@case_roles_only
def referral_new(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id, audit_read=False)
    form = ReferralForm(post_data(request), user=request.user, case=case)
    context = {
        "case": case,
        "consents": selectors.case_consents(case=case),
        "may_override": can_override_consent(request.user),
    }
    return form_page(
        request,
        form,
        template="support/referral_form.html",
        context=context,
        save=lambda: services.referral_create(actor=request.user, case=case, **form.service_data()),
        success=_("The referral was sent."),
    )


def _referral_page(
    request: AuthedRequest, referral: Referral, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "referral": referral,
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "report_form": forms.get("report_form") or ReportForm(),
        "today": today(),
    }
    return render(request, "support/referral_detail.html", context, status=status)


@case_roles_only
@require_GET
def referral_detail(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id)
    return _referral_page(request, referral)


@case_roles_only
@require_POST
def referral_accept(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    """Record the agency's acceptance for it (an agency without a focal point in oila)."""
    referral = selectors.referral_get(user=request.user, referral_id=referral_id, audit_read=False)
    attempt(
        request,
        lambda: services.referral_accept(actor=request.user, referral=referral),
        _("The referral is marked accepted."),
    )
    return redirect(referral)


@case_roles_only
@require_POST
def referral_decline(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id, audit_read=False)
    form = DeclineForm(request.POST)
    if form.is_valid() and attempt(
        request,
        lambda: services.referral_decline(
            actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
        ),
        _("The referral is marked declined."),
    ):
        return redirect(referral)
    return _referral_page(request, referral, status=422, decline_form=form)


@case_roles_only
@require_POST
def referral_report(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    referral = selectors.referral_get(user=request.user, referral_id=referral_id, audit_read=False)
    form = ReportForm(request.POST)
    if form.is_valid() and attempt(
        request,
        lambda: services.referral_report(
            actor=request.user, referral=referral, **form.service_data()
        ),
        _("The outcome was recorded."),
    ):
        return redirect(referral)
    return _referral_page(request, referral, status=422, report_form=form)
