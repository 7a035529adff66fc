"""Reads through a break-the-glass grant carry the grant in their audit event (ADR 0017)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from oila.audit.services import break_glass_context

# Set by the break-the-glass page: until when (a timestamp) the session has a live grant. It only
# spares every other request a query; which records are open is always read from the database.
SESSION_KEY = "oila_break_glass_until"


class BreakGlassAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        until = session.get(SESSION_KEY) if session is not None else None
        if not until:
            return self.get_response(request)
        if float(until) <= time.time():
            del session[SESSION_KEY]  # type: ignore[union-attr]
            return self.get_response(request)
        from oila.privacy.services import active_grant_records

        user = getattr(request, "user", None)
        records = active_grant_records(user=user) if user and user.is_authenticated else {}
        with break_glass_context(records):
            return self.get_response(request)
