"""What the support pages share: who may open them, and one-button answers to a referral."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse

from oila.accounts.rules import is_partner
from oila.common.errors import ApplicationError
from oila.common.forms import service_errors
from oila.registry.views.base import AuthedRequest, case_roles_only, form_page, post_data

View = Callable[..., HttpResponse]


def partner_only(view: View) -> View:
    """The partner inbox: partner focal points only; every other role gets a 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_partner(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def attempt(request: HttpRequest, act: Callable[[], Any], success: str) -> bool:
    """Call a service for a one-button action; say what happened, or why nothing did."""
    try:
        act()
    except (ValidationError, ApplicationError) as exc:
        for _field, texts in service_errors(exc):
            for text in texts:
                messages.error(request, text)
        return False
    messages.success(request, success)
    return True


__all__ = ["AuthedRequest", "attempt", "case_roles_only", "form_page", "partner_only", "post_data"]
