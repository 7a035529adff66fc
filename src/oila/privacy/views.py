"""Data-protection pages: breaking the glass (caseworkers and supervisors), and the DPO's pages —
audit search, read alerts, break-the-glass grants, a person's data exported (ADR 0017).

Every other role gets a 404, as for any page it has no business with."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oila.accounts.models import User
from oila.accounts.rules import is_dpo
from oila.common.errors import ApplicationError
from oila.common.forms import add_service_errors
from oila.privacy import selectors, services
from oila.privacy.footprint import as_document, footprint
from oila.privacy.forms import AuditSearchForm, BreakGlassForm
from oila.registry.models import BreakGlassGrant
from oila.registry.visibility import may_break_glass

View = Callable[..., HttpResponse]


def dpo_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_dpo(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def break_glass(request: HttpRequest) -> HttpResponse:
    """Open an out-of-scope record of the user's programme for an emergency, with a reason."""
    user: Any = request.user
    if not may_break_glass(user):
        raise Http404
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.break_glass_open(actor=user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            if opened.grant is None:
                messages.info(request, _("This record is already among yours."))
            else:
                messages.warning(
                    request,
                    _("Emergency access granted until %(time)s. Every read is audited.")
                    % {"time": timezone.localtime(opened.grant.expires_at).strftime("%H:%M")},
                )
            return redirect(opened.url)
    status = 422 if request.method == "POST" else 200
    return render(request, "privacy/break_glass.html", {"form": form}, status=status)


@dpo_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    grants = selectors.grants(user=request.user)
    context = {
        "active_grants": grants.filter(expires_at__gt=now).count(),
        "alerts": selectors.read_alerts(user=request.user).count(),
    }
    return render(request, "privacy/index.html", context)


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, 50).get_page(request.GET.get("page"))


@dpo_only
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """Search the audit log by person, user and dates; the search itself is audited."""
    form = AuditSearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "people": [], "person": None, "page": None}
    if form.has_filters() and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["person"]:
            people = selectors.people_find(user=request.user, q=data["person"])
            if len(people) != 1:
                # a search by name shows names: audited too, with what was asked and found
                services.audit_search_record(
                    actor=request.user,  # type: ignore[arg-type]
                    filters={"person_query": data["person"], "people_found": len(people)},
                    person=None,
                )
                context["people"] = people
                context["ambiguous"] = True
                return render(request, "privacy/audit.html", context)
            person = people[0]
        actor = None
        if data["user"]:
            actor = (
                selectors.users_for_dpo(user=request.user)
                .filter(username=data["user"].strip())
                .first()
            )
            if actor is None:
                form.add_error("user", _("No user with this username."))
                return render(request, "privacy/audit.html", context, status=422)
        filters = selectors.AuditFilters(
            person=person,
            actor=actor,
            since=data["since"],
            until=data["until"],
            action=data["action"].strip(),
        )
        page = _page(request, selectors.audit_search(user=request.user, filters=filters))
        services.audit_search_record(
            actor=request.user,  # type: ignore[arg-type]
            filters={
                "person": str(person.pk) if person else "",
                "user": data["user"],
                "since": data["since"],
                "until": data["until"],
                "action": data["action"],
                "page": page.number,
            },
            person=person,
        )
        context.update(page=page, person=person, query=request.GET.urlencode())
    elif form.is_bound and not form.is_valid():
        return render(request, "privacy/audit.html", context, status=422)
    return render(request, "privacy/audit.html", context)


@dpo_only
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.read_alerts(user=request.user))
    users = selectors.alert_users(list(page.object_list))
    rows = [(event, users.get(event.target_id)) for event in page.object_list]
    return render(request, "privacy/alerts.html", {"page": page, "rows": rows})


@dpo_only
@require_GET
def grants(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.grants(user=request.user))
    items: list[BreakGlassGrant] = list(page.object_list)
    reads = selectors.grant_reads([g.pk for g in items])
    now = timezone.now()
    rows = [(g, reads.get(str(g.pk), 0), g.expires_at > now) for g in items]
    return render(request, "privacy/grants.html", {"page": page, "rows": rows})


def _export_name(person: Any, ext: str) -> str:
    return f"oila-person-{person.pk}-{timezone.localdate().isoformat()}.{ext}"


@dpo_only
@require_GET
def export_json(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """Everything held about the person, as JSON (a download)."""
    person = selectors.person_for_dpo(user=request.user, person_id=person_id)
    user: User = request.user  # type: ignore[assignment]
    document = as_document(
        footprint(person), exported_by=user.get_username(), exported_at=timezone.now()
    )
    services.person_export_record(actor=user, person=person, fmt="json")
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(person, "json")}"'
    return response


@dpo_only
@require_GET
def export_pdf(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """Everything held about the person, as a PDF (a download)."""
    from oila.privacy.pdf import render_pdf

    person = selectors.person_for_dpo(user=request.user, person_id=person_id)
    user: User = request.user  # type: ignore[assignment]
    document = as_document(
        footprint(person), exported_by=user.get_username(), exported_at=timezone.now()
    )
    pdf = render_pdf(person, document)
    services.person_export_record(actor=user, person=person, fmt="pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(person, "pdf")}"'
    return response
