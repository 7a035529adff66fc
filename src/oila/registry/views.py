from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oila.registry import selectors


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    households = selectors.household_list(user=request.user)[:50]
    return render(request, "registry/household_list.html", {"households": households})


@login_required
def household_detail(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = selectors.household_get(user=request.user, household_id=household_id)
    return render(request, "registry/household_detail.html", {"household": household})


@login_required
def person_detail(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=person_id)
    return render(request, "registry/person_detail.html", {"person": person})
