"""Training pages: events, an event with its participants, the attendance-and-scores form, and the
specialists (professionals of partner agencies) who take part.

Roles that do not work with cases get a 404; so does an event or a specialist of another programme
(the selectors decide, ADR 0014).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.common.errors import ApplicationError
from oila.common.forms import service_errors
from oila.registry.views.base import AuthedRequest, case_roles_only, form_page, post_data
from oila.training import selectors, services
from oila.training.forms import (
    EventForm,
    ParticipantsForm,
    ProfileForm,
    ResultsForm,
    SpecialistForm,
)

FORM = "training/form.html"


def _context(title: str, back_url: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "back_url": back_url, **extra}


@case_roles_only
@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.event_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "training/event_list.html", {"page": page})


@case_roles_only
def event_new(request: AuthedRequest) -> HttpResponse:
    programmes = selectors.training_programmes(user=request.user)
    if not programmes.exists():
        raise Http404
    form = EventForm(post_data(request), programmes=programmes)
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(_("New training event"), reverse("training:events")),
        save=lambda: services.event_create(
            actor=request.user,
            programme=form.programme(form.cleaned_data),
            data=form.service_data(),
        ),
        success=_("The training event was recorded."),
    )


@case_roles_only
@require_GET
def event_detail(request: AuthedRequest, event_id: UUID) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id)
    rows = list(selectors.participations(event=event))
    return render(request, "training/event_detail.html", {"event": event, "rows": rows})


@case_roles_only
def event_edit(request: AuthedRequest, event_id: UUID) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id, audit_read=False)
    programmes = selectors.training_programmes(user=request.user)
    form = EventForm(post_data(request), programmes=programmes, event=event)
    return form_page(
        request,
        form,
        template=FORM,
        context=_context(_("Change the event"), event.get_absolute_url()),
        save=lambda: services.event_update(
            actor=request.user, event=event, data=form.service_data()
        ),
        success=_("The event was saved."),
    )


@case_roles_only
def participants_add(request: AuthedRequest, event_id: UUID) -> HttpResponse:
    event = selectors.event_get(user=request.user, event_id=event_id, audit_read=False)
    form = ParticipantsForm(post_data(request), choices=selectors.specialist_choices(event=event))

    def save() -> Any:
        services.participants_add(
            actor=request.user, event=event, people=list(form.cleaned_data["people"])
        )
        return event

    return form_page(
        request,
        form,
        template="training/participants_add.html",
        context=_context(_("Add participants"), event.get_absolute_url(), event=event),
        save=save,
        success=_("The participants were added."),
    )


@case_roles_only
@require_POST
def participant_remove(request: AuthedRequest, participation_id: UUID) -> HttpResponse:
    participation = selectors.participation_get(
        user=request.user, participation_id=participation_id
    )
    event = participation.event
    try:
        services.participant_remove(actor=request.user, participation=participation)
    except (ValidationError, ApplicationError) as exc:
        for _field, texts in service_errors(exc):
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, _("The participant was taken off the event."))
    return redirect(event)


@case_roles_only
def results(request: AuthedRequest, event_id: UUID) -> HttpResponse:
    # Showing the form reads the scores (audited); saving it writes its own audit event.
    reading = request.method != "POST"
    event = selectors.event_get(user=request.user, event_id=event_id, audit_read=reading)
    rows = list(selectors.participations(event=event))
    form = ResultsForm(post_data(request), event=event, rows=rows)

    def save() -> Any:
        services.event_results_record(actor=request.user, event=event, rows=form.result_rows())
        return event

    return form_page(
        request,
        form,
        template="training/results.html",
        context={"event": event},
        save=save,
        success=_("Attendance and scores were saved."),
    )


# ---------------------------------------------------------------------------------------------------
# Specialists


@case_roles_only
@require_GET
def specialist_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    people = selectors.specialist_list(user=request.user, q=q)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "training/specialist_list.html", {"page": page, "q": q})


@case_roles_only
def specialist_new(request: AuthedRequest) -> HttpResponse:
    programmes = selectors.training_programmes(user=request.user)
    if not programmes.exists():
        raise Http404
    form = SpecialistForm(post_data(request), programmes=programmes)

    def save() -> str:
        services.specialist_register(
            actor=request.user,
            programme=form.programme(form.cleaned_data),
            data=form.person_data(),
            organisation=form.cleaned_data["organisation"],
            position=form.cleaned_data["position"],
            enrolled_on=form.cleaned_data["enrolled_on"],
        )
        return "training:specialists"

    return form_page(
        request,
        form,
        template=FORM,
        context=_context(_("Add a specialist"), reverse("training:specialists")),
        save=save,
        success=_("The specialist was added."),
    )


@case_roles_only
def specialist_profile(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.specialist_get(user=request.user, person_id=person_id)
    form = ProfileForm(post_data(request), person=person)

    def save() -> str:
        services.specialist_profile_set(actor=request.user, person=person, **form.cleaned_data)
        return "training:specialists"

    return form_page(
        request,
        form,
        template=FORM,
        context=_context(person.full_name, reverse("training:specialists")),
        save=save,
        success=_("Where the specialist works was saved."),
    )
