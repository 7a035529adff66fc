"""Enumerating every URL pattern from the resolver and classifying a response as an outcome."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ALLOW, INVALID, NOT_FOUND, FORBIDDEN, LOGIN = "allow", "invalid", "404", "403", "login"
NO_METHOD = "405"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the bare name, or the route itself when the pattern has none
    route: str
    params: tuple[str, ...]


def routes(urlconf: Any = None) -> list[Route]:
    """Every URL pattern the resolver knows, with the namespaces of the includes around it."""
    found: list[Route] = []

    def walk(patterns: Any, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = (
                    f"{namespace}:{p.namespace}"
                    if namespace and p.namespace
                    else (p.namespace or namespace)
                )
                walk(p.url_patterns, prefix + str(p.pattern), inner or "")
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                qualified = f"{namespace}:{p.name}" if namespace else p.name
                name = qualified if p.name else route  # unnamed: known by its route
                params = tuple(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route))
                found.append(Route(name, route, tuple(a or b for a, b in params)))

    walk(get_resolver(urlconf).url_patterns, "", "")
    return found


def outcome(response: Any, *, api: bool) -> str:
    """What a response means for access: allowed, hidden (404), refused (403), or sign in first."""
    status = response.status_code
    if status == 404:
        return NOT_FOUND
    if status == 405:
        return NO_METHOD
    if api and status == 401:
        return LOGIN
    if status == 403:
        return FORBIDDEN
    if status in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if status in (400, 422):
        return INVALID
    if status >= 500:
        return f"error {status}"
    return ALLOW
