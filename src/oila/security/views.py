"""The Security page: a user's second factors and their signed-in sessions, which they can end."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oila.security import selectors, services


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    authenticators = {a.type for a in selectors.user_authenticators(user=user)}
    return render(
        request,
        "security/index.html",
        {
            "sessions": selectors.user_sessions(user=user),
            "current_key": request.session.session_key,
            "authenticators": authenticators,
            "mfa_required": selectors.mfa_required(user=user),
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.user_session_get(user=request.user, session_id=session_id)
    current = session.session_key == request.session.session_key
    services.user_session_end(actor=request.user, session=session)
    if current:
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That session has been signed out."))
    return redirect("security:index")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.user_sessions_end(
        actor=request.user,
        user=request.user,
        keep_session_key=request.session.session_key,
        reason="the user ended their other sessions",
    )
    messages.success(request, _("Other sessions signed out: %(n)d.") % {"n": ended})
    return redirect("security:index")
