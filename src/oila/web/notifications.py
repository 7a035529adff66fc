"""The notifications inbox: a user's own messages (approvals, deadlines, reassignments)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from oila.accounts import selectors, services
from oila.registry.views.base import AuthedRequest

PER_PAGE = 30


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    notifications = selectors.notification_list(user=request.user)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


@login_required
@require_POST
def mark_read(request: AuthedRequest, notification_id: UUID) -> HttpResponse:
    """Mark one as read, then follow its link (or go back to the inbox)."""
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    services.notification_mark_read(user=request.user, notification=notification)
    target = notification.url if request.POST.get("follow") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("web:notifications")


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return redirect("web:notifications")
