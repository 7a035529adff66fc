"""Session lifetime and the second-factor requirement, checked on every signed-in request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from oila.security import services, sessions
from oila.security.selectors import mfa_required, user_has_mfa

# Pages a user who still has to set up a second factor may open: sign-in and account pages
# (allauth's and the Security page, all under /accounts/), static files, the language switch, health.
MFA_SETUP_PATHS = ("/accounts/", "/static/", "/i18n/", "/healthz")


def _expired_message(reason: str) -> str:
    if reason == "idle":
        return _("You were signed out after a while without activity. Please sign in again.")
    if reason == "absolute":
        return _("Your session has reached its time limit. Please sign in again.")
    return _("Please sign in again.")


class SessionPolicyMiddleware:
    """Ends a signed-in session 30 minutes after its last request or 12 hours after sign-in
    (OILA_SESSION_IDLE_MINUTES, OILA_SESSION_HOURS), or when the user's role changed; records
    activity at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if SESSION_KEY in request.session and request.user.is_authenticated:
            user = request.user
            now = time.time()
            reason = sessions.session_expiry_reason(request.session, user=user, now=now)
            if reason:
                services.session_expire(request=request, user=user, reason=reason)
                # The request goes on signed out: a page that needs a user sends them to sign in.
                messages.info(request, _expired_message(reason))
            elif sessions.session_seen_is_stale(request.session, now=now):
                services.session_touch(request=request, now=now)
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Sends a user whose role must use a second factor, and who has none yet, to set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            SESSION_KEY in request.session
            and not request.session.get(sessions.MFA_DONE)
            and request.user.is_authenticated
            and mfa_required(user=request.user)
            and not request.path.startswith(MFA_SETUP_PATHS)
        ):
            if user_has_mfa(user=request.user):
                # Set up during this session (the activation itself checked a code from it).
                request.session[sessions.MFA_DONE] = True
            else:
                return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        message = _(
            "Your role needs two-step sign-in. Set up an authenticator app to continue "
            "(a security key can be added afterwards)."
        )
        setup = reverse("mfa_activate_totp")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = setup
            return response
        messages.warning(request, message)
        return redirect(setup)
