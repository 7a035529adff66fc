"""Reads through a break-the-glass grant carry the grant in their audit event (ADR 0017)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from oila.audit.services import break_glass_context
from oila.registry.visibility import has_live_grant


class BreakGlassAuditMiddleware:
    """For a user with a live grant (ADR 0025: the user's `break_glass_until`, which the user row
    loaded for the request already holds), the records it opens, so that reads of them name the
    grant; everyone else's requests cost nothing more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not has_live_grant(user):
            return self.get_response(request)
        from oila.privacy.services import active_grant_records

        with break_glass_context(active_grant_records(user=user)):
            return self.get_response(request)
