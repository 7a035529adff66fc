"""What every case page shares: who may open which page, and a form page about one case."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from oila.cases.models import Case
from oila.cases.visibility import supervises_cases
from oila.registry.views.base import AuthedRequest, case_roles_only, form_page, post_data

View = Callable[..., HttpResponse]
CASE_FORM = "cases/case_form.html"


def supervisors_only(view: View) -> View:
    """Team pages and reports: supervisors and managers; every other role gets a 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not supervises_cases(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def case_form_page(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    case: Case,
    title: Any,
    save: Callable[[], Any],
    success: Any,
    intro: Any = "",
    template: str = CASE_FORM,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form about one case: on success back to the case page, bad input 422 with the errors."""
    return form_page(
        request,
        form,
        template=template,
        context={"case": case, "title": title, "intro": intro, **(extra or {})},
        save=save,
        success=success,
    )


__all__ = ["AuthedRequest", "case_form_page", "case_roles_only", "post_data", "supervisors_only"]
