"""Plan pages of a case: the plan and its versions, drafting, submission, decision, the closure request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.assessments.selectors import case_people
from oila.cases.selectors import case_get
from oila.cases.visibility import can_decide
from oila.common.errors import ApplicationError
from oila.common.forms import service_errors
from oila.plans import selectors, services
from oila.plans.forms import (
    ActionForm,
    ActionStatusForm,
    ClosureForm,
    DecisionForm,
    GoalForm,
    GoalStatusForm,
    PlanCreateForm,
    ReviewForm,
    SuggestedGoalsForm,
)
from oila.registry.views.base import AuthedRequest, case_roles_only, form_page, post_data

FORM = "plans/plan_form.html"


def _plan_url(case_id: Any) -> str:
    return reverse("plans:plan", args=[case_id])


def _back_to_plan(case_id: Any, call: Callable[[], Any]) -> Callable[[], str]:
    """A form's save: call the service, then go back to the plan page."""

    def save() -> str:
        call()
        return _plan_url(case_id)

    return save


def _act(
    request: AuthedRequest, case_id: Any, act: Callable[[], Any], success: str
) -> HttpResponse:
    """A one-button action (submit, edit, remove, a status): back to the plan page with a message
    saying what happened, or why nothing did."""
    try:
        act()
    except (ValidationError, ApplicationError) as exc:
        for _field, texts in service_errors(exc):
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect(_plan_url(case_id))


def _page(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    case: Any,
    title: str,
    save: Callable[[], Any],
    success: str,
    template: str = FORM,
    **extra: Any,
) -> HttpResponse:
    return form_page(
        request,
        form,
        template=template,
        context={"case": case, "title": title, **extra},
        save=save,
        success=success,
    )


@case_roles_only
@require_GET
def plan_page(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    version = request.GET.get("version", "")
    page = selectors.plan_page(
        user=request.user, case_id=case_id, version=int(version) if version.isdigit() else None
    )
    plan, case = page.plan, page.case
    latest = page.versions[0] if page.versions else None
    context: dict[str, Any] = {
        "page": page,
        "case": case,
        "plan": plan,
        # What the page offers; the services check the same rules again on every change.
        "editable": case.is_open and plan is not None and plan.is_draft,
        "trackable": case.is_open and plan is not None and plan.status in ("draft", "approved"),
        "revisable": case.is_open
        and plan is not None
        and plan == latest
        and plan.status in ("approved", "rejected"),
        "may_decide": can_decide(request.user, case),
        "goal_statuses": GoalStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
        "action_statuses": ActionStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
    }
    if page.suggestions:
        context["suggested"] = SuggestedGoalsForm(suggestions=page.suggestions)
    return render(request, "plans/plan.html", context)


@case_roles_only
def plan_new(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get(user=request.user, case_id=case_id)
    suggestions = selectors.goal_suggestions(user=request.user, case=case)
    form = PlanCreateForm(post_data(request), suggestions=suggestions)
    return _page(
        request,
        form,
        case=case,
        title=_("Write the plan"),
        template="plans/plan_new.html",
        save=_back_to_plan(
            case.pk,
            lambda: services.plan_create(
                actor=request.user,
                case=case,
                review_on=form.cleaned_data["review_on"],
                goals=form.goals(),
            ),
        ),
        success=_("The plan was started. Add actions to its goals, then send it for approval."),
    )


@case_roles_only
def plan_review(request: AuthedRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id, case_id=case_id)
    form = ReviewForm(post_data(request), initial={"review_on": plan.review_on})
    return _page(
        request,
        form,
        case=plan.case,
        title=_("Change the review date"),
        save=_back_to_plan(
            case_id,
            lambda: services.plan_update(
                actor=request.user, plan=plan, review_on=form.cleaned_data["review_on"]
            ),
        ),
        success=_("The review date was changed."),
    )


@case_roles_only
def goal_new(request: AuthedRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id, case_id=case_id)
    form = GoalForm(post_data(request), case=plan.case, people=case_people(case=plan.case))
    return _page(
        request,
        form,
        case=plan.case,
        title=_("Add a goal"),
        save=_back_to_plan(
            case_id, lambda: services.goal_add(actor=request.user, plan=plan, **form.service_data())
        ),
        success=_("The goal was added."),
    )


@case_roles_only
@require_POST
def goals_suggested(request: AuthedRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id, case_id=case_id, audit_read=False)
    suggestions = selectors.goal_suggestions(user=request.user, case=plan.case, plan=plan)
    form = SuggestedGoalsForm(request.POST, suggestions=suggestions)
    goals = form.ticked_goals() if form.is_valid() else []
    return _act(
        request,
        case_id,
        lambda: services.goals_add(actor=request.user, plan=plan, goals=goals),
        _("%(count)s goals were added.") % {"count": len(goals)},
    )


@case_roles_only
def action_new(request: AuthedRequest, case_id: UUID, goal_id: UUID) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id, case_id=case_id)
    case = goal.plan.case
    form = ActionForm(post_data(request), choices=selectors.responsible_choices(case=case))
    return _page(
        request,
        form,
        case=case,
        title=_("Add an action"),
        intro=goal.text,
        save=_back_to_plan(
            case_id,
            lambda: services.action_add(actor=request.user, goal=goal, **form.service_data()),
        ),
        success=_("The action was added."),
    )


@case_roles_only
@require_POST
def goal_status(request: AuthedRequest, case_id: UUID, goal_id: UUID) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id, case_id=case_id, audit_read=False)
    form = GoalStatusForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return _act(
        request,
        case_id,
        lambda: services.goal_set_status(actor=request.user, goal=goal, status=status),
        _("The goal's status was saved."),
    )


@case_roles_only
@require_POST
def goal_remove(request: AuthedRequest, case_id: UUID, goal_id: UUID) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, goal_id=goal_id, case_id=case_id, audit_read=False)
    return _act(
        request,
        case_id,
        lambda: services.goal_remove(actor=request.user, goal=goal),
        _("The goal was removed."),
    )


@case_roles_only
@require_POST
def action_status(request: AuthedRequest, case_id: UUID, action_id: UUID) -> HttpResponse:
    action = selectors.action_get(user=request.user, action_id=action_id, case_id=case_id)
    form = ActionStatusForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return _act(
        request,
        case_id,
        lambda: services.action_set_status(actor=request.user, action=action, status=status),
        _("The action's status was saved."),
    )


@case_roles_only
@require_POST
def action_remove(request: AuthedRequest, case_id: UUID, action_id: UUID) -> HttpResponse:
    action = selectors.action_get(user=request.user, action_id=action_id, case_id=case_id)
    return _act(
        request,
        case_id,
        lambda: services.action_remove(actor=request.user, action=action),
        _("The action was removed."),
    )


@case_roles_only
@require_POST
def plan_submit(request: AuthedRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id, case_id=case_id, audit_read=False)
    return _act(
        request,
        case_id,
        lambda: services.plan_submit(actor=request.user, plan=plan),
        _("The plan was sent to the supervisor for approval."),
    )


@case_roles_only
@require_POST
def plan_revise(request: AuthedRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id, case_id=case_id, audit_read=False)
    return _act(
        request,
        case_id,
        lambda: services.plan_revise(actor=request.user, plan=plan),
        _(
            "A new version of the plan was started from this one; change it, then send it for approval."
        ),
    )


@case_roles_only
def plan_decide(request: AuthedRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id, case_id=case_id)
    if not can_decide(request.user, plan.case):
        raise Http404  # a caseworker has no decision page (the service would refuse anyway)
    form = DecisionForm(post_data(request))
    return _page(
        request,
        form,
        case=plan.case,
        plan=plan,
        title=_("Decide on version %(version)s of the plan") % {"version": plan.version},
        template="plans/plan_decide.html",
        save=_back_to_plan(
            case_id,
            lambda: services.plan_decide(actor=request.user, plan=plan, **form.service_data()),
        ),
        success=_("Your decision was saved."),
    )


@case_roles_only
def case_close(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    page = selectors.closure_page(user=request.user, case_id=case_id)
    form = ClosureForm(post_data(request), goals=page.goals)
    return _page(
        request,
        form,
        case=page.case,
        plan=page.plan,
        title=_("Request the closure of the case"),
        template="plans/case_close.html",
        save=lambda: services.plan_closure_request(
            actor=request.user, case=page.case, **form.service_data()
        ),
        success=_("The closure was requested; a supervisor will decide on it."),
    )
