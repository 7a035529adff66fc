"""Person pages: one person, editing, care arrangements, consents and enrolments."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oila.registry import selectors, services
from oila.registry.forms import (
    CareArrangementForm,
    ConsentForm,
    ConsentWithdrawForm,
    EnrolForm,
    EnrolmentStatusForm,
    PersonForm,
)
from oila.registry.models import Person
from oila.registry.views import entry
from oila.registry.views.base import AuthedRequest, form_page, post_data, registrar_required

FORM_PAGE = "registry/form_page.html"


@login_required
@require_GET
def person_detail(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=person_id, audit_read=False)
    if person.merged_into_id:
        # Merged into another record (oila.dedup): the survivor's page, which applies its own rule.
        return redirect("registry:person", person.merged_into_id)
    selectors.person_read(user=request.user, person=person)
    return render(request, "registry/person_detail.html", {"person": person})


@registrar_required
def person_edit(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=person_id)
    if person.merged_into_id:
        return redirect("registry:person-edit", person.merged_into_id)
    form = PersonForm.for_person(person, post_data(request))
    return form_page(
        request,
        form,
        template="registry/person_edit.html",
        context={"person": person},
        save=lambda: services.person_update(
            actor=request.user,
            person=person,
            data=form.service_data(),
            entry=getattr(form, "entry_decision", None),
        ),
        check=lambda: (
            entry.identity_changed(form)
            and entry.check_form(request, form, exclude=person, mode="same")
        ),
        success=_("The person's details were saved."),
    )


@registrar_required
def care_new(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=person_id)
    form = CareArrangementForm(post_data(request), user=request.user)
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        context={"title": _("Record a care arrangement"), "subject": person, "back": person},
        save=lambda: (
            services.care_arrangement_record(
                actor=request.user, person=person, data=form.service_data()
            ).person
        ),
        success=_("The care arrangement was recorded."),
    )


@registrar_required
def consent_new(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=person_id)
    form = ConsentForm(post_data(request))
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        context={"title": _("Record a consent"), "subject": person, "back": person},
        save=lambda: (
            services.consent_record(
                actor=request.user, person=person, data=form.service_data()
            ).person
        ),
        success=_("The consent was recorded."),
    )


@registrar_required
def consent_withdraw(request: AuthedRequest, consent_id: UUID) -> HttpResponse:
    consent = selectors.consent_get(user=request.user, consent_id=consent_id)
    form = ConsentWithdrawForm(post_data(request))
    title = _("Withdraw the consent to %(purpose)s") % {"purpose": consent.get_purpose_display()}
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        context={"title": title, "subject": consent.person, "back": consent.person},
        save=lambda: (
            services.consent_withdraw(
                actor=request.user, consent=consent, **form.cleaned_data
            ).person
        ),
        success=_("The consent was withdrawn."),
    )


@registrar_required
def person_enrol(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, person_id=person_id)
    form = EnrolForm(post_data(request))

    def save() -> Person:
        services.enrolment_create(
            actor=request.user, programme=person.programme, person=person, **form.cleaned_data
        )
        return person

    return form_page(
        request,
        form,
        template=FORM_PAGE,
        context={"title": _("Enrol in a beneficiary group"), "subject": person, "back": person},
        save=save,
        success=_("The enrolment was recorded."),
    )


@registrar_required
def enrolment_status(request: AuthedRequest, enrolment_id: UUID) -> HttpResponse:
    enrolment = selectors.enrolment_get(user=request.user, enrolment_id=enrolment_id)
    owner = enrolment.person or enrolment.household
    form = EnrolmentStatusForm.for_enrolment(enrolment, post_data(request))

    def save() -> object:
        services.enrolment_set_status(actor=request.user, enrolment=enrolment, **form.cleaned_data)
        return owner

    title = _("Change the status of the enrolment in “%(group)s”") % {
        "group": enrolment.get_group_display()
    }
    return form_page(
        request,
        form,
        template=FORM_PAGE,
        context={"title": title, "subject": owner, "back": owner},
        save=save,
        success=_("The enrolment's status was changed."),
    )
