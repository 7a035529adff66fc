"""Reads of plans. Every one goes through the case's visibility rule (404 when out of scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from oila.accounts.models import Organisation, Role, User
from oila.assessments import selectors as assessments
from oila.assessments.models import Assessment, Item
from oila.audit import services as audit
from oila.cases.models import Case
from oila.cases.selectors import case_get
from oila.common.ids import uuid_or_404
from oila.plans.models import Action, Goal, Plan
from oila.registry.models import Person


def _visible(user: Any) -> QuerySet[Case]:
    return assessments.visible_cases(user)


def _goals() -> Prefetch:
    actions = Action.objects.select_related("responsible_user", "responsible_organisation")
    return Prefetch(
        "goals",
        queryset=Goal.objects.select_related("item", "item__instrument", "person")
        .prefetch_related(Prefetch("actions", queryset=actions.order_by("due_on", "created_at")))
        .order_by("order", "created_at"),
    )


def plan_get(*, user: Any, plan_id: Any, case_id: Any = None, audit_read: bool = True) -> Plan:
    """One plan of a case the user may see, with its goals and actions; 404 otherwise."""
    qs = Plan.objects.filter(case__in=_visible(user).values("pk")).select_related(
        "case", "case__programme", "case__household", "created_by", "submitted_by", "decided_by"
    )
    if case_id is not None:
        qs = qs.filter(case_id=uuid_or_404(case_id))
    plan = qs.prefetch_related(_goals()).filter(pk=uuid_or_404(plan_id)).first()
    if plan is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=plan, action="plan.view")
    return plan


def plan_list(*, user: Any, case: Case) -> QuerySet[Plan]:
    """Every version of a case's plan, newest first, with goals and actions."""
    return (
        Plan.objects.filter(case__in=_visible(user).values("pk"), case=case)
        .select_related("created_by", "submitted_by", "decided_by")
        .prefetch_related(_goals())
        .order_by("-version")
    )


def goal_get(*, user: Any, goal_id: Any, case_id: Any, audit_read: bool = True) -> Goal:
    """A goal of a plan of a case the user may see (and of the case named); 404 otherwise."""
    goal = (
        Goal.objects.filter(
            plan__case__in=_visible(user).values("pk"), plan__case_id=uuid_or_404(case_id)
        )
        .select_related("plan", "plan__case", "plan__case__household", "plan__case__programme")
        .filter(pk=uuid_or_404(goal_id))
        .first()
    )
    if goal is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=goal, action="plan.goal.view")
    return goal


def action_get(*, user: Any, action_id: Any, case_id: Any) -> Action:
    """An action of a plan of a case the user may see (and of the case named); 404 otherwise."""
    action = (
        Action.objects.filter(
            goal__plan__case__in=_visible(user).values("pk"),
            goal__plan__case_id=uuid_or_404(case_id),
        )
        .select_related("goal", "goal__plan", "goal__plan__case")
        .filter(pk=uuid_or_404(action_id))
        .first()
    )
    if action is None:
        raise Http404
    return action


# ---------------------------------------------------------------------------------------------------
# Suggested goals


@dataclass(frozen=True)
class Suggestion:
    """A goal suggested by a low score in the latest assessment of a person (or the household)."""

    item: Item
    person: Person | None
    score: int
    assessed_on: dt.date
    text: str

    @property
    def key(self) -> str:
        return f"{self.item.pk}:{self.person.pk if self.person else 'household'}"


def suggestions_from(
    *, assessments_: list[Assessment], goals: list[Goal] | None = None
) -> list[Suggestion]:
    """For the latest assessment of each person (or the household) with each instrument, a goal for
    every item scored at or below the instrument's threshold (1 or 2 on the CSI), except those the
    plan already has a goal for (same factor, same person)."""
    have = {
        (g.item.instrument.code, g.item.code, g.person_id)
        for g in goals or []
        if g.item_id is not None and g.item is not None
    }
    out = []
    for assessment in assessments.latest_assessments(assessments=assessments_):
        instrument = assessment.instrument
        for score in assessment.scores.all():
            key = (instrument.code, score.item.code, assessment.subject_id)
            if score.value <= instrument.goal_at_or_below and key not in have:
                out.append(
                    Suggestion(
                        item=score.item,
                        person=assessment.subject,
                        score=score.value,
                        assessed_on=assessment.assessed_on,
                        text=score.item.goal,
                    )
                )
    out.sort(key=lambda s: (str(s.person or ""), s.item.instrument_id, s.item.order))
    return out


def goal_suggestions(*, user: Any, case: Case, plan: Plan | None = None) -> list[Suggestion]:
    """The goals suggested for a case's plan (see suggestions_from)."""
    found = list(assessments.assessment_list(user=user, case=case))
    goals = list(plan.goals.all()) if plan is not None else []
    return suggestions_from(assessments_=found, goals=goals)


# ---------------------------------------------------------------------------------------------------
# Pages


@dataclass(frozen=True)
class PlanPage:
    case: Case
    versions: list[Plan]  # newest first
    plan: Plan | None  # the version shown
    in_force: Plan | None  # the approved version
    suggestions: list[Suggestion]  # only for a draft


def plan_page(*, user: Any, case_id: Any, version: int | None = None) -> PlanPage:
    """A case's plan page: the version asked for (or the latest), every version, and the goals
    suggested for a draft. 404 when the case or the version is not there; the read is audited once."""
    case = case_get(user=user, case_id=case_id, audit_read=False)
    versions = list(plan_list(user=user, case=case))
    if version is None:
        plan = versions[0] if versions else None
    else:
        plan = next((p for p in versions if p.version == version), None)
        if plan is None:
            raise Http404
    audit.record_read(actor=user, target=plan or case, action="plan.view")
    in_force = next((p for p in versions if p.status == Plan.Status.APPROVED), None)
    suggestions = (
        goal_suggestions(user=user, case=case, plan=plan)
        if plan is not None and plan.is_draft
        else []
    )
    return PlanPage(
        case=case, versions=versions, plan=plan, in_force=in_force, suggestions=suggestions
    )


def responsible_choices(*, case: Case) -> dict[str, list[tuple[str, str]]]:
    """Who can be made responsible for an action: the programme's staff and the partner agencies."""
    staff = (
        User.objects.filter(
            Q(team__programme=case.programme_id) | Q(programmes=case.programme_id),
            is_active=True,
            role__in=[Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    organisations = Organisation.objects.exclude(type=Organisation.Type.PROGRAMME_NGO).order_by(
        "name"
    )
    return {
        "staff": [(f"user:{u.pk}", u.display_name) for u in staff],
        "organisations": [(f"org:{o.pk}", o.name) for o in organisations],
    }


# ---------------------------------------------------------------------------------------------------
# For the home page and the team dashboard


def plans_awaiting_approval(*, user: Any) -> QuerySet[Plan]:
    """Plans sent for approval that this user may decide on (a supervisor's team, a manager's
    programmes), oldest first; plans they sent themselves only if the programme allows it."""
    if not getattr(user, "is_authenticated", False) or user.role not in (
        Role.SUPERVISOR,
        Role.MANAGER,
    ):
        return Plan.objects.none()
    qs = Plan.objects.filter(
        status=Plan.Status.SUBMITTED, case__in=_visible(user).values("pk")
    ).select_related("case", "case__household", "case__subject", "submitted_by", "case__programme")
    if user.role == Role.SUPERVISOR:
        qs = qs.filter(case__team=user.team_id)
    own = [
        p.pk
        for p in qs.filter(submitted_by=user)
        if not p.case.programme.setting("allow_self_approval")
    ]
    return qs.exclude(pk__in=own).order_by("submitted_at")


def plan_actions_due(*, user: Any, today: dt.date, within_days: int = 7) -> QuerySet[Action]:
    """Open actions of approved plans of cases the user sees, due by `today + within_days` (overdue
    ones included), soonest first."""
    return (
        Action.objects.filter(
            goal__plan__case__in=_visible(user).values("pk"),
            goal__plan__status=Plan.Status.APPROVED,
            status__in=Action.OPEN_STATUSES,
            due_on__lte=today + dt.timedelta(days=within_days),
        )
        .select_related(
            "goal",
            "goal__plan",
            "goal__plan__case",
            "goal__plan__case__household",
            "goal__plan__case__subject",
            "responsible_user",
            "responsible_organisation",
        )
        .order_by("due_on", "created_at")
    )


@dataclass(frozen=True)
class ClosurePage:
    case: Case
    plan: Plan | None  # the approved version, whose goals are the checklist
    goals: list[Goal]


def closure_page(*, user: Any, case_id: Any) -> ClosurePage:
    """The closure request page: the case and the approved plan's goals; the read is audited."""
    case = case_get(user=user, case_id=case_id, audit_read=False)
    plan = plan_list(user=user, case=case).filter(status=Plan.Status.APPROVED).first()
    audit.record_read(actor=user, target=case, action="case.closure_request.view")
    return ClosurePage(case=case, plan=plan, goals=list(plan.goals.all()) if plan else [])
