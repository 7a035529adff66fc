"""Writes for plans: drafts, goals and actions, submission, the supervisor's decision, versions, and the
closure request with its checklist of goals.

Every change writes its audit event and a line on the case's timeline in the same transaction; the
decision moves the case on (cases.services.case_plan_approved) and notifies whoever must act next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oila.accounts.models import Organisation, Role, User
from oila.accounts.services import notify
from oila.assessments.models import Item
from oila.audit import services as audit
from oila.cases import services as cases
from oila.cases.models import Case
from oila.cases.visibility import can_decide, can_work_cases
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.common.services import snapshot
from oila.plans.models import Action, Goal, Plan
from oila.registry.models import Person

STAFF_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER)
# One timeline message per status, so each reader sees the status in their own language.
GOAL_STATUS_MESSAGES = {
    Goal.Status.OPEN: gettext_noop("Goal “%(goal)s” is open again."),
    Goal.Status.MET: gettext_noop("Goal “%(goal)s” was met."),
    Goal.Status.NOT_MET: gettext_noop("Goal “%(goal)s” was not met."),
}
ACTION_STATUS_MESSAGES = {
    Action.Status.PLANNED: gettext_noop("Action “%(action)s” is planned again."),
    Action.Status.IN_PROGRESS: gettext_noop("Action “%(action)s” is in progress."),
    Action.Status.DONE: gettext_noop("Action “%(action)s” is done."),
    Action.Status.CANCELLED: gettext_noop("Action “%(action)s” was cancelled."),
}


# ---------------------------------------------------------------------------------------------------
# Helpers


def _require_case_role(actor: User) -> None:
    if not can_work_cases(actor):
        raise PermissionDenied(_("Your role does not work with cases."))


def _require_open_case(case: Case) -> None:
    if not case.is_open:
        raise ApplicationError(_("This case is closed. Reopen it first."))


def _require_draft(plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise ApplicationError(
            _("Only a draft can be changed. Edit the plan to start a new version.")
        )


def _require_in_force(plan: Plan) -> None:
    """Goal and action statuses move on a draft or on the approved plan being carried out."""
    if plan.status not in (Plan.Status.DRAFT, Plan.Status.APPROVED):
        raise ApplicationError(
            _("Statuses can be changed on a draft or on the approved plan only.")
        )


def _plan_url(case: Case) -> str:
    return reverse("plans:plan", args=[case.pk])


def _event(case: Case, actor: User, kind: str, message: str, params: dict[str, Any]) -> None:
    cases.case_event_add(
        case=case, actor=actor, kind=kind, message=message, params=params, url=_plan_url(case)
    )


def _check_person(case: Case, person: Person | None) -> None:
    if person is None:
        return
    if case.kind == Case.Kind.CHILD:
        if person.pk != case.subject_id:
            raise ApplicationError(_("This person is not the child of the case."), field="person")
    elif not case.household.memberships.filter(person=person, ended_on__isnull=True).exists():
        raise ApplicationError(_("This person is not a member of the household."), field="person")


def _check_responsible(case: Case, user: User | None, organisation: Organisation | None) -> None:
    if (user is None) == (organisation is None):
        raise ApplicationError(
            _("Choose who is responsible: a staff member or a partner agency."),
            field="responsible",
        )
    if user is not None:
        works_here = (
            user.team is not None and user.team.programme_id == case.programme_id
        ) or user.programmes.filter(pk=case.programme_id).exists()
        if not (user.is_active and user.role in STAFF_ROLES and works_here):
            raise ApplicationError(
                _("Choose an active staff member of this programme."), field="responsible"
            )


def _goal_create(
    *, plan: Plan, text: str, item: Item | None, person: Person | None, order: int, **copy: Any
) -> Goal:
    _check_person(plan.case, person)
    goal = Goal(plan=plan, text=(text or "").strip(), item=item, person=person, order=order, **copy)
    if not goal.text:
        raise ApplicationError(_("Write the goal."), field="text")
    goal.full_clean()
    goal.save(force_insert=True)
    return goal


def _action_create(
    *,
    goal: Goal,
    description: str,
    due_on: dt.date,
    responsible_user: User | None = None,
    responsible_organisation: Organisation | None = None,
    check_date: bool = True,
    **copy: Any,
) -> Action:
    _check_responsible(goal.plan.case, responsible_user, responsible_organisation)
    if check_date and due_on < today():
        raise ApplicationError(_("The due date cannot be in the past."), field="due_on")
    action = Action(
        goal=goal,
        description=(description or "").strip(),
        due_on=due_on,
        responsible_user=responsible_user,
        responsible_organisation=responsible_organisation,
        **copy,
    )
    if not action.description:
        raise ApplicationError(_("Describe the action."), field="description")
    action.full_clean()
    action.save(force_insert=True)
    return action


def _goal_summary(goal: Goal) -> dict[str, Any]:
    return {
        "text": goal.text,
        "item": goal.item.code if goal.item_id and goal.item else None,
        "person": str(goal.person_id) if goal.person_id else None,
        "status": goal.status,
    }


def _action_summary(action: Action) -> dict[str, Any]:
    return {
        "goal": str(action.goal_id),
        "description": action.description,
        "due_on": action.due_on.isoformat(),
        "responsible_user": str(action.responsible_user_id) if action.responsible_user_id else None,
        "responsible_organisation": (
            str(action.responsible_organisation_id) if action.responsible_organisation_id else None
        ),
        "status": action.status,
    }


# ---------------------------------------------------------------------------------------------------
# Plans


@transaction.atomic
def plan_create(
    *,
    actor: User,
    case: Case,
    review_on: dt.date,
    goals: Sequence[Mapping[str, Any]] = (),
) -> Plan:
    """Start a plan for a case (the next version), with goals and their actions if given.

    Each goal is {"text", "item"?, "person"?, "actions"?: [{"description", "due_on",
    "responsible_user" | "responsible_organisation"}]}. All or nothing.
    """
    _require_case_role(actor)
    _require_open_case(case)
    # Lock the case row so that two plans cannot be started at once (the constraint would also
    # refuse the second, but with a database error instead of a message).
    Case.objects.select_for_update().filter(pk=case.pk).first()
    open_plan = case.plans.filter(status__in=Plan.OPEN_STATUSES).first()
    if open_plan is not None:
        raise ApplicationError(
            _(
                "Version %(version)s of this case's plan is still being written or waiting for a "
                "decision; work on that one."
            )
            % {"version": open_plan.version}
        )
    if review_on < today():
        raise ApplicationError(_("The review date cannot be in the past."), field="review_on")
    version = (case.plans.aggregate(last=Max("version"))["last"] or 0) + 1
    plan = Plan(case=case, version=version, review_on=review_on, created_by=actor)
    plan.full_clean()
    plan.save(force_insert=True)
    added = []
    for order, data in enumerate(goals, start=1):
        goal = _goal_create(
            plan=plan,
            text=data.get("text", ""),
            item=data.get("item"),
            person=data.get("person"),
            order=order,
        )
        added.append(_goal_summary(goal))
        for action in data.get("actions") or []:
            _action_create(goal=goal, **action)
    audit.record(
        actor=actor,
        action="plan.create",
        target=plan,
        after={
            "case": str(case.pk),
            "version": version,
            "review_on": review_on.isoformat(),
            "goals": added,
        },
    )
    _event(
        case,
        actor,
        "plan.create",
        gettext_noop("Plan version %(version)s started."),
        {"version": version},
    )
    return plan


@transaction.atomic
def plan_revise(*, actor: User, plan: Plan) -> Plan:
    """Edit a decided plan: a new draft version with copies of its goals and actions.

    The plan it copies stays in force (if approved) until the new version is approved.
    """
    _require_case_role(actor)
    case = plan.case
    _require_open_case(case)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if plan.status not in (Plan.Status.APPROVED, Plan.Status.REJECTED):
        raise ApplicationError(_("Only an approved or a returned plan can be edited this way."))
    if case.plans.filter(status__in=Plan.OPEN_STATUSES).exists():
        raise ApplicationError(
            _("A newer version of this plan is already being written or waiting for a decision.")
        )
    if case.plans.filter(version__gt=plan.version).exclude(status=Plan.Status.REJECTED).exists():
        raise ApplicationError(_("Edit the latest version of the plan."))
    version = (case.plans.aggregate(last=Max("version"))["last"] or 0) + 1
    draft = Plan(
        case=case, version=version, review_on=max(plan.review_on, today()), created_by=actor
    )
    draft.full_clean()
    draft.save(force_insert=True)
    goals = plan.goals.select_related("item", "person").prefetch_related("actions")
    for goal in goals:
        copy = Goal(
            plan=draft,
            text=goal.text,
            item=goal.item,
            person=goal.person,
            order=goal.order,
            status=goal.status,
        )
        copy.full_clean()
        copy.save(force_insert=True)
        Action.objects.bulk_create(
            Action(
                goal=copy,
                description=action.description,
                due_on=action.due_on,
                responsible_user_id=action.responsible_user_id,
                responsible_organisation_id=action.responsible_organisation_id,
                status=action.status,
            )
            for action in goal.actions.all()
        )
    audit.record(
        actor=actor,
        action="plan.revise",
        target=draft,
        after={"case": str(case.pk), "version": version, "copied_from": plan.version},
    )
    _event(
        case,
        actor,
        "plan.revise",
        gettext_noop("Plan version %(version)s started from version %(previous)s."),
        {"version": version, "previous": plan.version},
    )
    return draft


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, review_on: dt.date) -> Plan:
    """Change a draft's review date."""
    _require_case_role(actor)
    _require_draft(plan)
    if review_on < today():
        raise ApplicationError(_("The review date cannot be in the past."), field="review_on")
    if review_on == plan.review_on:
        return plan
    before = snapshot(plan, ["review_on"])
    plan.review_on = review_on
    plan.full_clean()
    plan.save(update_fields=["review_on", "updated_at"])
    audit.record(
        actor=actor,
        action="plan.update",
        target=plan,
        before=before,
        after=snapshot(plan, ["review_on"]),
    )
    return plan


@transaction.atomic
def goal_add(
    *,
    actor: User,
    plan: Plan,
    text: str,
    item: Item | None = None,
    person: Person | None = None,
) -> Goal:
    """Add a goal to a draft plan (a suggested one keeps the assessment factor it comes from)."""
    _require_case_role(actor)
    _require_draft(plan)
    last = plan.goals.aggregate(last=Max("order"))["last"] or 0
    goal = _goal_create(plan=plan, text=text, item=item, person=person, order=last + 1)
    audit.record(actor=actor, action="plan.goal_add", target=goal, after=_goal_summary(goal))
    _event(
        plan.case,
        actor,
        "plan.goal_add",
        gettext_noop("Goal added to plan version %(version)s: %(goal)s"),
        {"version": plan.version, "goal": goal.text},
    )
    return goal


@transaction.atomic
def goals_add(*, actor: User, plan: Plan, goals: Iterable[Mapping[str, Any]]) -> list[Goal]:
    """Add several goals to a draft at once (the ticked suggestions); all or nothing."""
    return [
        goal_add(
            actor=actor,
            plan=plan,
            text=data.get("text", ""),
            item=data.get("item"),
            person=data.get("person"),
        )
        for data in goals
    ]


@transaction.atomic
def goal_remove(*, actor: User, goal: Goal) -> Plan:
    """Remove a goal (and its actions) from a draft plan."""
    _require_case_role(actor)
    plan = goal.plan
    _require_draft(plan)
    before = _goal_summary(goal)
    audit.record(actor=actor, action="plan.goal_remove", target=goal, before=before)
    goal.delete()
    _event(
        plan.case,
        actor,
        "plan.goal_remove",
        gettext_noop("Goal removed from plan version %(version)s: %(goal)s"),
        {"version": plan.version, "goal": before["text"]},
    )
    return plan


@transaction.atomic
def goal_set_status(*, actor: User, goal: Goal, status: str) -> Goal:
    """Mark a goal open, met or not met (on a draft, or on the approved plan as work goes on)."""
    _require_case_role(actor)
    _require_in_force(goal.plan)
    if status not in Goal.Status.values:
        raise ApplicationError(_("Choose one of the statuses."), field="status")
    if goal.status == status:
        return goal
    before = snapshot(goal, ["status"])
    goal.status = status
    goal.full_clean()
    goal.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="plan.goal_status",
        target=goal,
        before=before,
        after=snapshot(goal, ["status"]),
    )
    _event(
        goal.plan.case,
        actor,
        "plan.goal_status",
        GOAL_STATUS_MESSAGES[Goal.Status(status)],
        {"goal": goal.text},
    )
    return goal


@transaction.atomic
def action_add(
    *,
    actor: User,
    goal: Goal,
    description: str,
    due_on: dt.date,
    responsible_user: User | None = None,
    responsible_organisation: Organisation | None = None,
) -> Action:
    """Add an action to a goal of a draft plan: who (a staff member or a partner agency) does what by
    when."""
    _require_case_role(actor)
    _require_draft(goal.plan)
    action = _action_create(
        goal=goal,
        description=description,
        due_on=due_on,
        responsible_user=responsible_user,
        responsible_organisation=responsible_organisation,
    )
    audit.record(
        actor=actor, action="plan.action_add", target=action, after=_action_summary(action)
    )
    _event(
        goal.plan.case,
        actor,
        "plan.action_add",
        gettext_noop("Action added to plan version %(version)s: %(action)s"),
        {"version": goal.plan.version, "action": action.description},
    )
    return action


@transaction.atomic
def action_remove(*, actor: User, action: Action) -> Plan:
    """Remove an action from a draft plan."""
    _require_case_role(actor)
    plan = action.goal.plan
    _require_draft(plan)
    audit.record(
        actor=actor, action="plan.action_remove", target=action, before=_action_summary(action)
    )
    description = action.description
    action.delete()
    _event(
        plan.case,
        actor,
        "plan.action_remove",
        gettext_noop("Action removed from plan version %(version)s: %(action)s"),
        {"version": plan.version, "action": description},
    )
    return plan


@transaction.atomic
def action_set_status(*, actor: User, action: Action, status: str) -> Action:
    """Move an action on: planned, in progress, done or cancelled.

    A partner focal point may move only an action its agency is responsible for (a referral's
    report marks the action it fulfils done: oila.support).
    """
    partner = (
        actor.is_active
        and actor.role == Role.PARTNER
        and actor.organisation_id is not None
        and actor.organisation_id == action.responsible_organisation_id
    )
    if not partner:
        _require_case_role(actor)
    _require_in_force(action.goal.plan)
    if status not in Action.Status.values:
        raise ApplicationError(_("Choose one of the statuses."), field="status")
    if action.status == status:
        return action
    before = snapshot(action, ["status"])
    action.status = status
    action.full_clean()
    action.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="plan.action_status",
        target=action,
        before=before,
        after=snapshot(action, ["status"]),
    )
    _event(
        action.goal.plan.case,
        actor,
        "plan.action_status",
        ACTION_STATUS_MESSAGES[Action.Status(status)],
        {"action": action.description},
    )
    return action


# ---------------------------------------------------------------------------------------------------
# Submission and decision


def _deciders(case: Case) -> list[User]:
    """Who is asked to decide: the team's supervisors, or the programme's managers if it has none."""
    supervisors = (
        list(User.objects.filter(team=case.team_id, role=Role.SUPERVISOR, is_active=True))
        if case.team_id
        else []
    )
    if supervisors:
        return supervisors
    return list(
        User.objects.filter(programmes=case.programme_id, role=Role.MANAGER, is_active=True)
    )


@transaction.atomic
def plan_submit(*, actor: User, plan: Plan) -> Plan:
    """Send a draft for a supervisor's approval: it needs goals, and every goal an action."""
    _require_case_role(actor)
    _require_draft(plan)
    case = plan.case
    _require_open_case(case)
    goals = list(plan.goals.prefetch_related("actions"))
    if not goals:
        raise ApplicationError(_("Add at least one goal before sending the plan for approval."))
    bare = [goal.text for goal in goals if not goal.actions.all()]
    if bare:
        raise ApplicationError(
            _("Every goal needs at least one action. Goals without one: %(goals)s")
            % {"goals": "; ".join(f"“{text}”" for text in bare)}
        )
    before = snapshot(plan, ["status"])
    plan.status = Plan.Status.SUBMITTED
    plan.submitted_by = actor
    plan.submitted_at = timezone.now()
    plan.full_clean()
    plan.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="plan.submit",
        target=plan,
        before=before,
        after=snapshot(plan, ["status", "submitted_by"]),
    )
    _event(
        case,
        actor,
        "plan.submit",
        gettext_noop("Plan version %(version)s sent for approval."),
        {"version": plan.version},
    )
    for user in _deciders(case):
        if user.pk == actor.pk:
            continue
        notify(
            user=user,
            kind="approval.requested",
            message=gettext_noop(
                "%(actor)s asks you to approve version %(version)s of the plan of case %(number)s."
            ),
            params={"actor": actor.display_name, "version": plan.version, "number": case.number},
            url=_plan_url(case),
        )
    return plan


@transaction.atomic
def plan_decide(*, actor: User, plan: Plan, approve: bool, comment: str = "") -> Plan:
    """A supervisor of the case's team (or a manager) approves the plan or returns it, with a comment.

    Nobody decides on a plan they submitted, unless the programme's allow_self_approval says so.
    Approval supersedes the version in force and moves the case to carrying out the plan.
    """
    case = plan.case
    if not can_decide(actor, case):
        raise PermissionDenied(
            _("Only a supervisor of the case's team may approve or return a plan.")
        )
    if plan.status != Plan.Status.SUBMITTED:
        raise ApplicationError(_("This plan is not waiting for a decision."))
    if plan.submitted_by_id == actor.pk and not case.programme.setting("allow_self_approval"):
        raise ApplicationError(
            _("You sent this plan for approval: another supervisor must decide on it.")
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ApplicationError(_("Say why the plan is not approved."), field="comment")
    before = snapshot(plan, ["status"])
    if approve:
        _require_open_case(case)
        superseded = list(
            case.plans.filter(status=Plan.Status.APPROVED).values_list("version", flat=True)
        )
        case.plans.filter(status=Plan.Status.APPROVED).update(
            status=Plan.Status.SUPERSEDED, updated_at=timezone.now()
        )
    plan.status = Plan.Status.APPROVED if approve else Plan.Status.REJECTED
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.decision_comment = comment
    plan.full_clean()
    plan.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="plan.approve" if approve else "plan.reject",
        target=plan,
        before=before,
        after={
            **snapshot(plan, ["status", "decided_by"]),
            **({"superseded_versions": superseded} if approve else {}),
        },
        note="[comment encrypted]" if comment else "",
    )
    _event(
        case,
        actor,
        "plan.approve" if approve else "plan.reject",
        gettext_noop("Plan version %(version)s approved.")
        if approve
        else gettext_noop("Plan version %(version)s not approved."),
        {"version": plan.version},
    )
    if approve:
        cases.case_plan_approved(actor=actor, case=case, approved_on=today())
    submitter = plan.submitted_by
    if submitter is not None and submitter.pk != actor.pk:
        notify(
            user=submitter,
            kind="approval.decided",
            message=gettext_noop(
                "%(actor)s approved version %(version)s of the plan of case %(number)s."
            )
            if approve
            else gettext_noop(
                "%(actor)s did not approve version %(version)s of the plan of case %(number)s."
            ),
            params={"actor": actor.display_name, "version": plan.version, "number": case.number},
            url=_plan_url(case),
        )
    return plan


# ---------------------------------------------------------------------------------------------------
# Closure


def plan_in_force(case: Case) -> Plan | None:
    """The approved version of a case's plan, if there is one."""
    return case.plans.filter(status=Plan.Status.APPROVED).order_by("-version").first()


@transaction.atomic
def plan_closure_request(
    *, actor: User, case: Case, reason: str, note: str, goal_statuses: Mapping[Any, str]
) -> Case:
    """Request the case's closure with the checklist of the approved plan's goals (met / not met).

    The goals' statuses are saved, then cases.services.case_closure_request is asked with whether
    every goal was met; when it refuses, nothing is saved.
    """
    _require_case_role(actor)
    plan = plan_in_force(case)
    goals = list(plan.goals.all()) if plan else []
    given = {str(k): v for k, v in goal_statuses.items()}
    if set(given) != {str(goal.pk) for goal in goals}:
        raise ApplicationError(_("Mark every goal of the plan as met or not met."), field="goals")
    if any(v not in (Goal.Status.MET, Goal.Status.NOT_MET) for v in given.values()):
        raise ApplicationError(_("Mark every goal of the plan as met or not met."), field="goals")
    changed = {}
    for goal in goals:
        status = given[str(goal.pk)]
        if goal.status != status:
            changed[str(goal.pk)] = {"from": goal.status, "to": status}
            goal.status = status
            goal.full_clean()
            goal.save(update_fields=["status", "updated_at"])
    if plan is not None and changed:
        audit.record(
            actor=actor, action="plan.goals_checked", target=plan, after={"goals": changed}
        )
    goals_met = bool(goals) and all(goal.status == Goal.Status.MET for goal in goals)
    return cases.case_closure_request(
        actor=actor, case=case, reason=reason, note=note, goals_met=goals_met
    )
