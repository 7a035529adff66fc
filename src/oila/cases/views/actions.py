"""What is done to a case: visits, risk, reassignment, transfer, closure decisions, reopening,
gatekeeping, care changes and placement reviews. Each page is one form and one service."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from oila.cases import selectors, services
from oila.cases.forms import (
    CareChangeForm,
    ClosureDecisionForm,
    GatekeepingForm,
    PlacementReviewForm,
    ReasonForm,
    ReassignForm,
    RiskForm,
    TransferForm,
    VisitForm,
)
from oila.cases.models import Case
from oila.cases.visibility import can_decide

from .base import AuthedRequest, case_form_page, case_roles_only, post_data


def _case(request: AuthedRequest, case_id: UUID) -> Case:
    # Acting on a case is not a read of its page: the service writes the audit event.
    return selectors.case_get(user=request.user, case_id=case_id, audit_read=False)


def _decider_case(request: AuthedRequest, case_id: UUID, *, audit_read: bool = False) -> Case:
    # 404 first: out of scope says nothing.
    case = selectors.case_get(user=request.user, case_id=case_id, audit_read=audit_read)
    if not can_decide(request.user, case):
        raise PermissionDenied(_("Only a supervisor of the case's team may do this."))
    return case


@case_roles_only
def visit_new(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = VisitForm(post_data(request))
    return case_form_page(
        request,
        form,
        case=case,
        title=_("Record a visit or note"),
        save=lambda: services.visit_record(actor=request.user, case=case, **form.cleaned_data).case,
        success=_("The visit was recorded."),
    )


@case_roles_only
def risk_change(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = RiskForm(post_data(request), initial={"risk": case.risk})
    return case_form_page(
        request,
        form,
        case=case,
        title=_("Change the risk level"),
        save=lambda: services.case_set_risk(actor=request.user, case=case, **form.cleaned_data),
        success=_("The risk level was changed."),
    )


@case_roles_only
def reassign(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _decider_case(request, case_id)
    form = ReassignForm(post_data(request), case=case)

    def save() -> object:
        services.case_reassign(actor=request.user, case=case, **form.cleaned_data)
        # Given to another team, the case leaves this supervisor's scope.
        visible = selectors.case_visible(user=request.user, case_id=case.pk)
        return case if visible else reverse("cases:team")

    return case_form_page(
        request,
        form,
        case=case,
        title=_("Reassign the case"),
        save=save,
        success=_("The case was reassigned."),
    )


@case_roles_only
def transfer(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _decider_case(request, case_id)
    form = TransferForm(post_data(request), case=case)
    return case_form_page(
        request,
        form,
        case=case,
        title=_("Transfer to another organisation"),
        intro=_(
            "A transfer needs a current consent to share information: the child's, or for a "
            "family case an adult caregiver's."
        ),
        save=lambda: services.case_transfer(actor=request.user, case=case, **form.cleaned_data),
        success=_("The case was transferred."),
    )


@case_roles_only
def closure_decide(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    # The page shows the closure note: showing it is a read of the case.
    case = _decider_case(request, case_id, audit_read=request.method == "GET")
    form = ClosureDecisionForm(post_data(request))
    return case_form_page(
        request,
        form,
        case=case,
        title=_("Decide on the closure"),
        template="cases/closure_decide.html",
        save=lambda: services.case_closure_decide(
            actor=request.user, case=case, **form.cleaned_data
        ),
        success=_("The decision was recorded."),
    )


@case_roles_only
def reopen(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = ReasonForm(post_data(request))
    return case_form_page(
        request,
        form,
        case=case,
        title=_("Reopen the case"),
        save=lambda: services.case_reopen(actor=request.user, case=case, **form.cleaned_data),
        success=_("The case was reopened."),
    )


@case_roles_only
def gatekeeping_new(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = GatekeepingForm(post_data(request), case=case)
    return case_form_page(
        request,
        form,
        case=case,
        title=_("Record a gatekeeping decision"),
        intro=_(
            "Before any placement into formal care: is it necessary at all, which alternatives "
            "were considered, and does the placement suit the child?"
        ),
        save=lambda: (
            services.gatekeeping_record(actor=request.user, case=case, **form.cleaned_data).case
        ),
        success=_("The gatekeeping decision was recorded."),
    )


@case_roles_only
def care_change(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = CareChangeForm(post_data(request), case=case)

    def save() -> Case:
        services.care_change_record(actor=request.user, case=case, **form.cleaned_data)
        return case

    return case_form_page(
        request,
        form,
        case=case,
        title=_("Record a change of care"),
        intro=_(
            "A reunification with the family, or a move from an institution to family-based "
            "care. A placement into formal care is recorded with a gatekeeping decision."
        ),
        save=save,
        success=_("The change of care was recorded."),
    )


@case_roles_only
def placement_review(request: AuthedRequest, case_id: UUID, placement_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    placement = selectors.placement_get(case=case, placement_id=placement_id)
    form = PlacementReviewForm(post_data(request))

    def save() -> Case:
        services.placement_review_record(
            actor=request.user, case=case, placement=placement, **form.cleaned_data
        )
        return case

    return case_form_page(
        request,
        form,
        case=case,
        title=_("Record a placement review"),
        intro=_("Review of %(child)s's placement (%(care)s). Write what was found in a visit note.")
        % {"child": placement.person.full_name, "care": placement.get_type_display()},
        save=save,
        success=_("The review was recorded."),
    )
