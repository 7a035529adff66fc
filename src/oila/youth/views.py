"""Youth pages: the list of young people, a young person's employability page, and the forms that
add a training, a placement, a completion, an end or a follow-up.

Roles that do not work with cases get a 404 (they see no young person anyway); a young person out of
the user's scope is a 404 too (the selectors decide).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oila.common.dates import today
from oila.registry.views.base import (
    AuthedRequest,
    case_roles_only,
    form_page,
    post_data,
    registrar_required,
)
from oila.youth import selectors, services
from oila.youth.forms import (
    CompletionForm,
    FollowUpForm,
    PlacementEndForm,
    PlacementForm,
    TrainingForm,
)

FORM = "youth/form.html"


def _page_of(person_id: Any) -> str:
    return reverse("youth:person", args=[person_id])


def _context(title: str, person: Any, **extra: Any) -> dict[str, Any]:
    return {"title": title, "person": person, "back_url": _page_of(person.pk), **extra}


@case_roles_only
@require_GET
def youth_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    day = today()
    people = selectors.youth_list(user=request.user, today=day, q=q)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "youth/list.html", {"page": page, "q": q, "today": day})


@case_roles_only
@require_GET
def person_page(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    youth = selectors.youth_page(user=request.user, person_id=person_id)
    return render(request, "youth/person.html", {"youth": youth, "today": today()})


@registrar_required
def training_new(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.youth_person_get(user=request.user, person_id=person_id, audit_read=False)
    form = TrainingForm(post_data(request))
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(_("Add a training"), person),
        save=lambda: services.youth_training_create(
            actor=request.user, person=person, data=form.cleaned_data
        ),
        success=_("The training was recorded."),
    )


@registrar_required
def training_complete(request: AuthedRequest, training_id: UUID) -> HttpResponse:
    training = selectors.training_get(user=request.user, training_id=training_id)
    form = CompletionForm(post_data(request))
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(_("Completion of %(course)s") % {"course": training}, training.person),
        save=lambda: services.youth_training_complete(
            actor=request.user, training=training, **form.cleaned_data
        ),
        success=_("The completion was recorded."),
    )


@registrar_required
def placement_new(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.youth_person_get(user=request.user, person_id=person_id, audit_read=False)
    trainings = selectors.training_list(user=request.user, person=person)
    form = PlacementForm(post_data(request), trainings=trainings)
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(_("Record work"), person),
        save=lambda: services.placement_create(
            actor=request.user, person=person, data=form.service_data()
        ),
        success=_("The placement was recorded; its follow-ups are scheduled."),
    )


@registrar_required
def placement_end(request: AuthedRequest, placement_id: UUID) -> HttpResponse:
    placement = selectors.placement_get(user=request.user, placement_id=placement_id)
    form = PlacementEndForm(post_data(request))
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(
            _("End of the work as %(position)s") % {"position": placement}, placement.person
        ),
        save=lambda: services.placement_end(
            actor=request.user, placement=placement, **form.cleaned_data
        ),
        success=_("The end of the placement was recorded."),
    )


@registrar_required
def follow_up_record(request: AuthedRequest, follow_up_id: UUID) -> HttpResponse:
    follow_up = selectors.follow_up_get(user=request.user, follow_up_id=follow_up_id)
    placement = follow_up.placement
    initial = {"done_on": follow_up.done_on or today()}
    if follow_up.is_done:
        initial.update(
            still_working="yes" if follow_up.still_working else "no",
            monthly_wage_uzs=follow_up.monthly_wage_uzs,
            note=follow_up.note,
        )
    form = FollowUpForm(post_data(request), initial=initial)
    title = _("%(month)s-month follow-up") % {"month": follow_up.month}
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(title, placement.person, follow_up=follow_up, placement=placement),
        save=lambda: (
            services.follow_up_record(
                actor=request.user, follow_up=follow_up, **form.cleaned_data
            ).placement
        ),
        success=_("The follow-up was recorded."),
    )
