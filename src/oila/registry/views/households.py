"""Household pages: the list, one household, registering a family, editing, adding a member."""

from __future__ import annotations

import uuid
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oila.common.errors import ApplicationError
from oila.common.queries import CappedPaginator
from oila.geo import selectors as geo
from oila.registry import selectors, services
from oila.registry.forms import (
    MAHALLA_BLANK,
    MAX_MEMBERS,
    MEMBERS_PREFIX,
    EnrolForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberForm,
    MemberFormSet,
    Registration,
)
from oila.registry.views import entry
from oila.registry.views.base import (
    AuthedRequest,
    case_roles_only,
    form_page,
    post_data,
    registrar_required,
)

PER_PAGE = 25


@case_roles_only
@require_GET
def household_list(request: AuthedRequest) -> HttpResponse:
    form = HouseholdFilterForm(request.GET)
    households = selectors.household_list(user=request.user, filters=form.filters())
    page = CappedPaginator(households, PER_PAGE).get_page(request.GET.get("page"))
    # Typing in the search box swaps only the results; a history restore needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "registry/_household_results.html" if partial else "registry/household_list.html"
    response = render(request, template, {"form": form, "page": page})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def household_detail(request: AuthedRequest, household_id: UUID) -> HttpResponse:
    household = selectors.household_get(user=request.user, household_id=household_id)
    members = selectors.household_members_detail(household=household)
    return render(
        request, "registry/household_detail.html", {"household": household, "members": members}
    )


def _register_page(
    request: AuthedRequest, registration: Registration, status: int = 200
) -> HttpResponse:
    context = {"form": registration.household, "formset": registration.members}
    return render(request, "registry/household_register.html", context, status=status)


@registrar_required
def household_register(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        return _register_page(request, Registration())
    # Without JavaScript, "add another member" posts the page back with one more blank member.
    add_member = "add_member" in request.POST
    registration = Registration(request.POST, add_member=add_member)
    if add_member:
        return _register_page(request, registration)
    if not registration.is_valid():
        return _register_page(request, registration, status=422)
    # Possible duplicates of any member: the page comes back with them until the user has chosen.
    district = registration.household.cleaned_data["district"]
    pending = [
        entry.check_form(request, form, district=district)
        for form in registration.members.filled_forms()
    ]
    if any(pending):
        return _register_page(request, registration)
    try:
        household = services.household_register(actor=request.user, **registration.service_kwargs())
    except (ValidationError, ApplicationError) as exc:
        registration.add_service_errors(exc)
        return _register_page(request, registration, status=422)
    messages.success(request, _("The family was registered."))
    return redirect(household)


@registrar_required
@require_GET
def member_form(request: AuthedRequest) -> HttpResponse:
    """One more blank member for the registration page (htmx), with the formset's new total."""
    try:
        index = int(request.GET.get(f"{MEMBERS_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        index = 1
    if not 0 < index < MAX_MEMBERS:
        return HttpResponse(status=204)
    form = MemberFormSet(prefix=MEMBERS_PREFIX).form_at(index)
    return render(request, "registry/_member_added.html", {"member": form, "total": index + 1})


@registrar_required
def household_edit(request: AuthedRequest, household_id: UUID) -> HttpResponse:
    household = selectors.household_get(user=request.user, household_id=household_id)
    form = HouseholdForm.for_household(household, post_data(request))
    return form_page(
        request,
        form,
        template="registry/household_edit.html",
        context={"household": household},
        save=lambda: services.household_update(
            actor=request.user, household=household, data=form.service_data()
        ),
        success=_("The household was saved."),
    )


@registrar_required
def member_add(request: AuthedRequest, household_id: UUID) -> HttpResponse:
    household = selectors.household_get(user=request.user, household_id=household_id)
    form = MemberForm(post_data(request))

    def save() -> object:
        services.household_member_add(
            actor=request.user, household=household, member=form.service_data()
        )
        return household

    return form_page(
        request,
        form,
        template="registry/member_add.html",
        context={"household": household},
        save=save,
        check=lambda: entry.check_form(request, form, district=household.district_id),
        success=_("The member was added."),
    )


@registrar_required
def household_enrol(request: AuthedRequest, household_id: UUID) -> HttpResponse:
    household = selectors.household_get(user=request.user, household_id=household_id)
    form = EnrolForm(post_data(request))

    def save() -> object:
        services.enrolment_create(
            actor=request.user,
            programme=household.programme,
            household=household,
            **form.cleaned_data,
        )
        return household

    return form_page(
        request,
        form,
        template="registry/form_page.html",
        context={"title": _("Enrol the household"), "subject": household, "back": household},
        save=save,
        success=_("The household was enrolled."),
    )


@login_required
@require_GET
def mahalla_options(request: AuthedRequest) -> HttpResponse:
    """The <option>s of a district's mahallas, for the mahalla select (place names, not personal)."""
    try:
        district_id = uuid.UUID(request.GET.get("district", ""))
    except ValueError:
        district_id = None
    mahallas = geo.mahalla_options(district_id=district_id) if district_id else []
    blank = MAHALLA_BLANK.get(request.GET.get("blank", ""), MAHALLA_BLANK["none"])
    context = {"mahallas": mahallas, "district_chosen": district_id is not None, "blank": blank}
    return render(request, "registry/_mahalla_options.html", context)
