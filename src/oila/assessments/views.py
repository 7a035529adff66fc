"""Assessment pages of a case: the list with change over time, the scoring form, one assessment."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oila.assessments import selectors, services
from oila.assessments.forms import AssessmentForm
from oila.cases.selectors import case_get
from oila.cases.visibility import can_decide
from oila.registry.views.base import AuthedRequest, case_roles_only, form_page, post_data


@case_roles_only
@require_GET
def case_assessments(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    page = selectors.case_assessments(user=request.user, case_id=case_id)
    return render(request, "assessments/case_assessments.html", {"page": page, "case": page.case})


@case_roles_only
def assessment_new(request: AuthedRequest, case_id: UUID, code: str) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    instrument = selectors.instrument_current(code=code)
    form = AssessmentForm(
        post_data(request),
        instrument=instrument,
        people=selectors.people_for(case=case, instrument=instrument),
        may_override=can_decide(request.user, case),
    )

    def save() -> str:
        services.assessment_record(
            actor=request.user, case=case, instrument=instrument, **form.service_data()
        )
        return reverse("assessments:case-assessments", args=[case.pk])

    return form_page(
        request,
        form,
        template="assessments/assessment_form.html",
        context={"case": case, "instrument": instrument},
        save=save,
        success=_("The assessment was recorded."),
    )


@case_roles_only
@require_GET
def assessment_detail(request: AuthedRequest, case_id: UUID, assessment_id: UUID) -> HttpResponse:
    assessment = selectors.assessment_get(
        user=request.user, assessment_id=assessment_id, case_id=case_id
    )
    return render(
        request,
        "assessments/assessment_detail.html",
        {"assessment": assessment, "case": assessment.case},
    )
