"""What every registry page shares: who may write, and the POST-redirect-GET of a form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.middleware import HtmxDetails

from oila.accounts.models import User
from oila.accounts.rules import works_with_cases
from oila.common.errors import ApplicationError
from oila.common.forms import add_service_errors
from oila.registry.visibility import can_register

View = Callable[..., HttpResponse]


class AuthedRequest(HttpRequest):
    """A request past login_required and the htmx middleware, as the type checker should see it."""

    user: User
    htmx: HtmxDetails


def registrar_required(view: View) -> View:
    """Pages that write: a role that may not register gets a 404 (it can see no household anyway)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_register(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def case_roles_only(view: View) -> View:
    """Pages of case data: a role that does not work with cases gets a 404, not an empty page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not works_with_cases(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    template: str,
    context: dict[str, Any],
    save: Callable[[], Any],
    success: str,
    check: Callable[[], bool] | None = None,
) -> HttpResponse:
    """Show the form (GET), or check it and call the service (POST).

    `save` calls the service and returns where to go next. Bad input, whether the form or the service
    finds it, re-renders the form with the errors on their fields and status 422; nothing is saved.
    `check` runs on a valid form first: True (e.g. possible duplicates to choose from) shows the form
    again, with what the check left on it, and saves nothing.
    """
    context = {**context, "form": form}
    if request.method != "POST":
        return render(request, template, context)
    if form.is_valid() and check is not None and check():
        return render(request, template, context)
    if form.is_valid():
        try:
            target = save()
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(target)
    return render(request, template, context, status=422)


def post_data(request: HttpRequest) -> Any:
    """The submitted data on a POST (even an empty one), None on a GET: what a form is bound to."""
    return request.POST if request.method == "POST" else None
