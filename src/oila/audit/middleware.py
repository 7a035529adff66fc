from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from oila.audit.services import request_context


class AuditContextMiddleware:
    """Gives audit events written during a request the client's address.

    REMOTE_ADDR is what the socket saw; behind a reverse proxy, the proxy must set it (gunicorn's
    --forwarded-allow-ips), never a header a client could forge.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(request.META.get("REMOTE_ADDR", "")):
            return self.get_response(request)
