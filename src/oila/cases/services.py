"""Writes to cases. Each service validates, saves and writes its audit event in one transaction.

Every change also writes a line on the case's timeline (case_event_add) and, where someone must act,
a notification. Timeline and notification texts are English msgids (gettext_noop) with parameters,
translated when shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oila.accounts.models import Notification, Organisation, Role, User
from oila.accounts.services import notify
from oila.audit import services as audit
from oila.cases import deadlines
from oila.cases.deadlines import DeadlineRules
from oila.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    GatekeepingDecision,
    Visit,
)
from oila.cases.selectors import DueItem, due_items
from oila.cases.visibility import can_decide, can_work_cases
from oila.common.dates import age_on, today
from oila.common.errors import ApplicationError
from oila.common.services import snapshot
from oila.registry import services as registry
from oila.registry.models import (
    FORMAL_CARE,
    CareArrangement,
    Consent,
    Enrolment,
    Household,
    Membership,
    Person,
)

DEADLINE_FIELDS = [
    "assessment_due_at",
    "plan_due_on",
    "visit_due_on",
    "reassessment_due_on",
]
# Members of a household who can consent for the family to information-sharing (if adults).
CAREGIVER_RELATIONSHIPS = (
    Membership.Relationship.HEAD,
    Membership.Relationship.SPOUSE,
    Membership.Relationship.PARENT,
    Membership.Relationship.CAREGIVER,
)
ADULT_AGE = 18


@transaction.atomic
def case_event_add(
    *,
    case: Case,
    actor: User | None,
    kind: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
) -> CaseEvent:
    """Add a line to a case's timeline. `message` is an English msgid marked with gettext_noop.

    Called by the services of every app that acts on a case, inside their own transaction; the
    calling service writes the audit event for its change, so this adds none of its own.
    """
    event = CaseEvent(
        case=case,
        at=timezone.now(),
        actor=actor,
        kind=kind,
        message=message,
        params=params or {},
        url=url,
    )
    event.full_clean()
    event.save(force_insert=True)
    return event


# ---------------------------------------------------------------------------------------------------
# Helpers


def _require_case_role(actor: User) -> None:
    if not can_work_cases(actor):
        raise PermissionDenied(_("Your role does not work with cases."))


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ApplicationError(_("This case is closed. Reopen it first."))


def _require_decider(actor: User, case: Case) -> None:
    if not can_decide(actor, case):
        raise PermissionDenied(_("Only a supervisor of the case's team may do this."))


def _not_in_future(day: dt.date, field: str) -> None:
    if day > today():
        raise ApplicationError(_("This date cannot be in the future."), field=field)


def _save(case: Case, fields: list[str]) -> None:
    case.full_clean()
    case.save(update_fields=[*fields, "updated_at"])


def _case_url(case: Case, name: str = "cases:case") -> str:
    return reverse(name, args=[case.pk])


def _who(case: Case) -> str:
    return case.subject.full_name if case.subject_id and case.subject else case.household.name


def _supervisors(case: Case) -> list[User]:
    if case.team_id is None:
        return []
    return list(
        User.objects.filter(team=case.team_id, role=Role.SUPERVISOR, is_active=True).order_by(
            "username"
        )
    )


def _step_event(case: Case, actor: User, before: int) -> None:
    if case.step != before:
        case_event_add(
            case=case,
            actor=actor,
            kind="case.step",
            message=gettext_noop("Moved to step %(number)s: %(step)s."),
            params={"number": case.step, "step": case.step},
        )


def _next_number(prefix: str, year: int) -> str:
    """The next case number of a prefix and year, taken under a row lock (see CaseNumberCounter)."""
    # get_or_create retries the read when a concurrent transaction created the row first (the
    # unique constraint makes the second insert fail), so the first number of a year is safe too.
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last", "updated_at"])
    return f"{prefix}-{year}-{counter.last:05d}"


def _check_caseworker(caseworker: User, programme_id: Any) -> None:
    if (
        caseworker.role != Role.CASEWORKER
        or not caseworker.is_active
        or caseworker.team is None
        or caseworker.team.programme_id != programme_id
    ):
        raise ApplicationError(
            _("Choose an active caseworker of this programme."), field="caseworker"
        )


def _current_member(household: Household, person: Person) -> bool:
    return household.memberships.filter(person=person, ended_on__isnull=True).exists()


def _check_child(case: Case, child: Person) -> None:
    """A child-protection case is about its child; a family case about its household's members."""
    if case.kind == Case.Kind.CHILD:
        if child.pk != case.subject_id:
            raise ApplicationError(_("This child is not the subject of the case."), field="child")
    elif not _current_member(case.household, child):
        raise ApplicationError(_("This person is not a member of the household."), field="child")


# ---------------------------------------------------------------------------------------------------
# Opening, risk and the steps


@transaction.atomic
def case_open(
    *,
    actor: User,
    household: Household,
    kind: str,
    risk: str,
    subject: Person | None = None,
    identified_at: dt.datetime | None = None,
    caseworker: User | None = None,
) -> Case:
    """Open a family case (a household) or a child-protection case (one of its children)."""
    _require_case_role(actor)
    if kind == Case.Kind.CHILD:
        if subject is None:
            raise ApplicationError(_("Choose the child the case is about."), field="subject")
        if not _current_member(household, subject):
            raise ApplicationError(
                _("The child must be a member of the household."), field="subject"
            )
        duplicate = Case.objects.filter(subject=subject, kind=kind, status__in=OPEN_STATUSES)
    else:
        if subject is not None:
            raise ApplicationError(
                _("A family case is about the whole household."), field="subject"
            )
        duplicate = Case.objects.filter(household=household, kind=kind, status__in=OPEN_STATUSES)
    existing = duplicate.values_list("number", flat=True).first()
    if existing:
        raise ApplicationError(
            _("There is already an open case of this kind: %(number)s.") % {"number": existing}
        )
    if caseworker is None:
        caseworker = household.caseworker or (actor if actor.role == Role.CASEWORKER else None)
    if caseworker is not None:
        _check_caseworker(caseworker, household.programme_id)
    identified_at = identified_at or timezone.now()
    if identified_at > timezone.now():
        raise ApplicationError(
            _("The date of identification cannot be in the future."), field="identified_at"
        )
    programme = household.programme
    rules = DeadlineRules.of(programme)
    opened_on = today()
    case = Case(
        programme=programme,
        team=caseworker.team if caseworker else household.team,
        caseworker=caseworker,
        number=_next_number(str(programme.setting("case_number_prefix")).strip(), opened_on.year),
        kind=kind,
        household=household,
        subject=subject,
        risk=risk,
        identified_at=identified_at,
        opened_on=opened_on,
        assessment_due_at=(
            deadlines.assessment_due(rules, risk=risk, identified_at=identified_at)
            if risk in rules.response_hours
            else None
        ),
        visit_due_on=(
            deadlines.visit_due(rules, risk=risk, since=opened_on)
            if risk in rules.visit_interval_days
            else None
        ),
    )
    case.full_clean()
    case.save(force_insert=True)
    audit.record(
        actor=actor,
        action="case.open",
        target=case,
        after=snapshot(
            case,
            [
                "number",
                "kind",
                "household",
                "subject",
                "risk",
                "caseworker",
                "team",
                *DEADLINE_FIELDS,
            ],
        ),
    )
    case_event_add(
        case=case,
        actor=actor,
        kind="case.open",
        message=gettext_noop("Case %(number)s opened; risk level: %(risk_level)s."),
        params={"number": case.number, "risk_level": case.risk},
    )
    if caseworker is not None and caseworker.pk != actor.pk:
        notify(
            user=caseworker,
            kind="case.assigned",
            message=gettext_noop("Case %(number)s (%(who)s) was opened and assigned to you."),
            params={"number": case.number, "who": _who(case)},
            url=_case_url(case),
        )
    return case


@transaction.atomic
def case_set_risk(*, actor: User, case: Case, risk: str, reason: str) -> Case:
    """Change a case's risk level; the deadlines that depend on it follow."""
    _require_case_role(actor)
    _require_open(case)
    if not reason.strip():
        raise ApplicationError(_("Say why the risk level changes."), field="reason")
    if risk not in Case.Risk.values:
        raise ApplicationError(_("Choose a risk level."), field="risk")
    if risk == case.risk:
        raise ApplicationError(_("The case already has this risk level."), field="risk")
    rules = DeadlineRules.of(case.programme)
    before = snapshot(case, ["risk", *DEADLINE_FIELDS])
    case.risk = risk
    if case.last_assessed_on is None:
        case.assessment_due_at = deadlines.assessment_due(
            rules, risk=risk, identified_at=case.identified_at
        )
    case.visit_due_on = deadlines.visit_due(
        rules, risk=risk, since=case.last_visit_on or case.opened_on
    )
    _save(case, ["risk", "assessment_due_at", "visit_due_on"])
    audit.record(
        actor=actor,
        action="case.risk",
        target=case,
        before=before,
        after=snapshot(case, ["risk", *DEADLINE_FIELDS]),
        note=reason,
    )
    case_event_add(
        case=case,
        actor=actor,
        kind="case.risk",
        message=gettext_noop("Risk level changed to %(risk_level)s."),
        params={"risk_level": risk},
    )
    return case


@transaction.atomic
def case_assessment_recorded(
    *, actor: User, case: Case, assessed_on: dt.date, is_csi: bool
) -> Case:
    """An assessment of the case was recorded (by the assessments app): step and deadlines follow.

    The step becomes case planning (a CSI reassessment after the plan was approved is follow-up and
    review); the initial assessment is no longer due; the plan is due plan_due_days later if none
    was approved yet; a CSI sets the next one csi_reassessment_months later.
    """
    _require_open(case)
    _not_in_future(assessed_on, "assessed_on")
    rules = DeadlineRules.of(case.programme)
    before = snapshot(case, ["step", "last_assessed_on", *DEADLINE_FIELDS])
    step_before = case.step
    if case.step < Case.Step.PLANNING:
        case.step = Case.Step.PLANNING
    elif is_csi and case.step == Case.Step.IMPLEMENTATION:
        case.step = Case.Step.FOLLOW_UP
    case.assessment_due_at = None
    if case.last_assessed_on is None or assessed_on > case.last_assessed_on:
        case.last_assessed_on = assessed_on
    if case.plan_approved_on is None and case.plan_due_on is None:
        case.plan_due_on = deadlines.plan_due(rules, assessed_on=assessed_on)
    if is_csi:
        due = deadlines.reassessment_due(rules, assessed_on=assessed_on)
        if case.reassessment_due_on is None or due > case.reassessment_due_on:
            case.reassessment_due_on = due
    _save(
        case,
        ["step", "last_assessed_on", "assessment_due_at", "plan_due_on", "reassessment_due_on"],
    )
    audit.record(
        actor=actor,
        action="case.assessed",
        target=case,
        before=before,
        after=snapshot(case, ["step", "last_assessed_on", *DEADLINE_FIELDS]),
    )
    _step_event(case, actor, step_before)
    return case


@transaction.atomic
def case_plan_approved(*, actor: User, case: Case, approved_on: dt.date) -> Case:
    """The case plan was approved (by the plans app): the plan is being implemented, none is due."""
    _require_open(case)
    _not_in_future(approved_on, "approved_on")
    before = snapshot(case, ["step", "plan_approved_on", "plan_due_on"])
    step_before = case.step
    case.step = Case.Step.IMPLEMENTATION
    case.plan_due_on = None
    case.plan_approved_on = approved_on
    _save(case, ["step", "plan_due_on", "plan_approved_on"])
    audit.record(
        actor=actor,
        action="case.plan_approved",
        target=case,
        before=before,
        after=snapshot(case, ["step", "plan_approved_on", "plan_due_on"]),
    )
    _step_event(case, actor, step_before)
    return case


# ---------------------------------------------------------------------------------------------------
# Visits and notes


@transaction.atomic
def visit_record(
    *,
    actor: User,
    case: Case,
    on: dt.date,
    kind: str,
    narrative: str,
    participants: str = "",
    next_steps: str = "",
) -> Visit:
    """Record a visit or a note; a visit (not a phone call) moves the next visit's deadline."""
    _require_case_role(actor)
    _require_open(case)
    _not_in_future(on, "on")
    if on < timezone.localtime(case.identified_at).date():
        raise ApplicationError(
            _("This date is before the case was identified (%(date)s).")
            % {"date": timezone.localtime(case.identified_at).date().isoformat()},
            field="on",
        )
    if not narrative.strip():
        raise ApplicationError(_("Write what happened."), field="narrative")
    visit = Visit(
        case=case,
        on=on,
        kind=kind,
        participants=participants.strip(),
        narrative=narrative.strip(),
        next_steps=next_steps.strip(),
        recorded_by=actor,
    )
    visit.full_clean()
    visit.save(force_insert=True)
    # The narrative and next steps are never copied into the audit trail (ADR 0003).
    audit.record(
        actor=actor,
        action="visit.record",
        target=visit,
        after={**snapshot(visit, ["case", "on", "kind"]), "narrative": "[encrypted]"},
    )
    if visit.counts_as_visit and (case.last_visit_on is None or on >= case.last_visit_on):
        before = snapshot(case, ["last_visit_on", "visit_due_on"])
        case.last_visit_on = on
        case.visit_due_on = deadlines.visit_due(
            DeadlineRules.of(case.programme), risk=case.risk, since=on
        )
        _save(case, ["last_visit_on", "visit_due_on"])
        audit.record(
            actor=actor,
            action="case.visited",
            target=case,
            before=before,
            after=snapshot(case, ["last_visit_on", "visit_due_on"]),
        )
    case_event_add(
        case=case,
        actor=actor,
        kind="visit.record",
        message=gettext_noop("%(visit_kind)s on %(date)s recorded."),
        params={"visit_kind": kind, "date": on.isoformat()},
    )
    return visit


# ---------------------------------------------------------------------------------------------------
# Closure and reopening


@transaction.atomic
def case_closure_request(
    *, actor: User, case: Case, reason: str, note: str, goals_met: bool
) -> Case:
    """Ask the team's supervisors to approve closing the case (reason, note, plan goals checklist)."""
    _require_case_role(actor)
    if case.status != Case.Status.OPEN:
        raise ApplicationError(
            _("A closure can only be requested for an open case.")
            if not case.is_open
            else _("A closure was already requested for this case.")
        )
    if not reason:
        raise ApplicationError(_("Choose the reason for closing the case."), field="reason")
    if reason not in Case.ClosureReason.values:
        raise ApplicationError(_("Choose one of the closure reasons."), field="reason")
    if reason == Case.ClosureReason.TRANSFERRED:
        raise ApplicationError(
            _("A transfer to another organisation is recorded with Transfer, not closed."),
            field="reason",
        )
    if reason == Case.ClosureReason.GOALS_MET and not goals_met:
        raise ApplicationError(
            _("“Goals met” needs every goal of the plan to be met."), field="reason"
        )
    if not note.strip():
        raise ApplicationError(_("Write a note on the closure."), field="note")
    before = snapshot(case, ["status", "closure_reason"])
    case.status = Case.Status.CLOSURE_REQUESTED
    case.closure_reason = reason
    case.closure_note = note.strip()
    case.closure_goals_met = goals_met
    case.closure_requested_by = actor
    case.closure_requested_on = today()
    _save(
        case,
        [
            "status",
            "closure_reason",
            "closure_note",
            "closure_goals_met",
            "closure_requested_by",
            "closure_requested_on",
        ],
    )
    audit.record(
        actor=actor,
        action="case.closure_request",
        target=case,
        before=before,
        after={**snapshot(case, ["status", "closure_reason", "closure_goals_met"])},
    )
    case_event_add(
        case=case,
        actor=actor,
        kind="case.closure_request",
        message=gettext_noop("Closure requested: %(closure_reason)s."),
        params={"closure_reason": reason},
    )
    for supervisor in _supervisors(case):
        if supervisor.pk == actor.pk:
            continue
        notify(
            user=supervisor,
            kind="approval.requested",
            message=gettext_noop("%(actor)s asks you to approve closing case %(number)s."),
            params={"actor": actor.display_name, "number": case.number},
            url=_case_url(case, "cases:closure-decide"),
        )
    return case


def _graduate_household(*, actor: User, case: Case) -> int:
    """The household's and its current members' active enrolments become graduated."""
    members = case.household.memberships.filter(ended_on__isnull=True).values("person_id")
    enrolments = Enrolment.objects.filter(
        Q(person__in=members) | Q(household=case.household),
        programme=case.programme,
        status=Enrolment.Status.ACTIVE,
    )
    count = 0
    for enrolment in enrolments.order_by("enrolled_on", "id"):
        registry.enrolment_set_status(
            actor=actor, enrolment=enrolment, status=Enrolment.Status.GRADUATED, ended_on=today()
        )
        count += 1
    return count


@transaction.atomic
def case_closure_decide(*, actor: User, case: Case, approve: bool, comment: str) -> Case:
    """A supervisor approves the requested closure (the case closes) or sends it back."""
    _require_decider(actor, case)
    if case.status != Case.Status.CLOSURE_REQUESTED:
        raise ApplicationError(_("No closure is waiting for a decision on this case."))
    if case.closure_requested_by_id == actor.pk and not case.programme.setting(
        "allow_self_approval"
    ):
        raise ApplicationError(
            _("You requested this closure: another supervisor must decide on it.")
        )
    if not approve and not comment.strip():
        raise ApplicationError(_("Say why the closure is not approved."), field="comment")
    before = snapshot(case, ["status", "step", "closed_on", "closure_reason"])
    requester = case.closure_requested_by
    reason = case.closure_reason
    step_before = case.step
    if approve:
        case.status = Case.Status.CLOSED
        case.step = Case.Step.CLOSURE
        case.closed_on = today()
        fields = ["status", "step", "closed_on"]
    else:
        case.status = Case.Status.OPEN
        case.closure_reason = ""
        case.closure_note = ""
        case.closure_goals_met = False
        case.closure_requested_by = None
        case.closure_requested_on = None
        fields = [
            "status",
            "closure_reason",
            "closure_note",
            "closure_goals_met",
            "closure_requested_by",
            "closure_requested_on",
        ]
    _save(case, fields)
    audit.record(
        actor=actor,
        action="case.closure_approve" if approve else "case.closure_reject",
        target=case,
        before=before,
        after=snapshot(case, ["status", "step", "closed_on", "closure_reason"]),
        note=comment,
    )
    if approve:
        case_event_add(
            case=case,
            actor=actor,
            kind="case.close",
            message=gettext_noop("Closure approved; the case is closed (%(closure_reason)s)."),
            params={"closure_reason": reason},
        )
        _step_event(case, actor, step_before)
        if reason == Case.ClosureReason.GOALS_MET and case.kind == Case.Kind.FAMILY:
            graduated = _graduate_household(actor=actor, case=case)
            case_event_add(
                case=case,
                actor=actor,
                kind="case.graduated",
                message=gettext_noop("The family graduated (%(count)s enrolments)."),
                params={"count": graduated},
            )
    else:
        case_event_add(
            case=case,
            actor=actor,
            kind="case.closure_reject",
            message=gettext_noop("Closure not approved: %(comment)s"),
            params={"comment": comment.strip()},
        )
    message = (
        gettext_noop("%(actor)s approved closing case %(number)s.")
        if approve
        else gettext_noop("%(actor)s did not approve closing case %(number)s.")
    )
    recipients = {u.pk: u for u in (requester, case.caseworker) if u is not None}
    for user in recipients.values():
        if user.pk != actor.pk:
            notify(
                user=user,
                kind="approval.decided",
                message=message,
                params={"actor": actor.display_name, "number": case.number},
                url=_case_url(case),
            )
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    """Reopen a closed or transferred case, with a reason; the visits clock starts again today."""
    _require_case_role(actor)
    if case.is_open:
        raise ApplicationError(_("This case is open."))
    if not reason.strip():
        raise ApplicationError(_("Say why the case is reopened."), field="reason")
    before = snapshot(case, ["status", "step", "closed_on", "closure_reason", "transferred_to"])
    step_before = case.step
    case.status = Case.Status.OPEN
    if case.plan_approved_on:
        case.step = Case.Step.FOLLOW_UP
    elif case.last_assessed_on:
        case.step = Case.Step.PLANNING
    else:
        case.step = Case.Step.IDENTIFICATION
    case.closed_on = None
    case.closure_reason = ""
    case.closure_note = ""
    case.closure_goals_met = False
    case.closure_requested_by = None
    case.closure_requested_on = None
    case.transferred_to = None
    case.visit_due_on = deadlines.visit_due(
        DeadlineRules.of(case.programme), risk=case.risk, since=today()
    )
    _save(
        case,
        [
            "status",
            "step",
            "closed_on",
            "closure_reason",
            "closure_note",
            "closure_goals_met",
            "closure_requested_by",
            "closure_requested_on",
            "transferred_to",
            "visit_due_on",
        ],
    )
    audit.record(
        actor=actor,
        action="case.reopen",
        target=case,
        before=before,
        after=snapshot(case, ["status", "step", "visit_due_on"]),
        note=reason,
    )
    case_event_add(
        case=case,
        actor=actor,
        kind="case.reopen",
        message=gettext_noop("Case reopened: %(reason)s"),
        params={"reason": reason.strip()},
    )
    _step_event(case, actor, step_before)
    return case


# ---------------------------------------------------------------------------------------------------
# Reassignment and transfer


@transaction.atomic
def case_reassign(*, actor: User, case: Case, caseworker: User, reason: str) -> Case:
    """A supervisor gives the case to another caseworker of the programme, with a reason.

    A family case takes its household (and the household's members) along, so the new caseworker
    sees the family's records too (ADR 0005: owner fields decide visibility).
    """
    _require_decider(actor, case)
    _require_open(case)
    if not reason.strip():
        raise ApplicationError(_("Say why the case is reassigned."), field="reason")
    _check_caseworker(caseworker, case.programme_id)
    if caseworker.pk == case.caseworker_id:
        raise ApplicationError(_("This caseworker already has the case."), field="caseworker")
    previous = case.caseworker
    before = snapshot(case, ["caseworker", "team"])
    case.caseworker = caseworker
    case.team = caseworker.team
    _save(case, ["caseworker", "team"])
    audit.record(
        actor=actor,
        action="case.reassign",
        target=case,
        before=before,
        after=snapshot(case, ["caseworker", "team"]),
        note=reason,
    )
    if case.kind == Case.Kind.FAMILY:
        registry.household_set_owners(
            actor=actor,
            household=case.household,
            team=caseworker.team,
            caseworker=caseworker,
            reason=reason,
        )
    case_event_add(
        case=case,
        actor=actor,
        kind="case.reassign",
        message=gettext_noop("Reassigned from %(previous)s to %(caseworker)s: %(reason)s"),
        params={
            "previous": previous.display_name if previous else "—",
            "caseworker": caseworker.display_name,
            "reason": reason.strip(),
        },
    )
    notify(
        user=caseworker,
        kind="case.reassigned",
        message=gettext_noop("%(actor)s assigned case %(number)s (%(who)s) to you."),
        params={"actor": actor.display_name, "number": case.number, "who": _who(case)},
        url=_case_url(case),
    )
    return case


def sharing_consent_holders(case: Case) -> list[Person]:
    """Whose information-sharing consent a transfer needs: the child, or the adult caregivers."""
    if case.kind == Case.Kind.CHILD:
        return [case.subject] if case.subject else []
    on = today()
    memberships = case.household.memberships.filter(
        ended_on__isnull=True, relationship__in=CAREGIVER_RELATIONSHIPS
    ).select_related("person")
    return [
        m.person
        for m in memberships
        if m.person.birth_date is None or (age_on(m.person.birth_date, on) or 0) >= ADULT_AGE
    ]


def current_sharing_consent(case: Case) -> Consent | None:
    """The current information-sharing consent that allows transferring the case, if any."""
    holders = sharing_consent_holders(case)
    return (
        Consent.objects.filter(
            person__in=holders,
            purpose=Consent.Purpose.INFORMATION_SHARING,
            withdrawn_on__isnull=True,
            given_on__lte=today(),
        )
        .order_by("-given_on")
        .first()
    )


@transaction.atomic
def case_transfer(*, actor: User, case: Case, organisation: Organisation, reason: str) -> Case:
    """Transfer a case to another agency: only with a recorded consent to share information.

    The case ends here with the reason "transferred"; the enrolments of its people become
    transferred (DOMAIN.md §6, beneficiary status accounting).
    """
    _require_decider(actor, case)
    _require_open(case)
    if not reason.strip():
        raise ApplicationError(_("Say why the case is transferred."), field="reason")
    if organisation.pk == case.programme.organisation_id:
        raise ApplicationError(
            _("Choose another organisation than the programme's own."), field="organisation"
        )
    consent = current_sharing_consent(case)
    if consent is None:
        if case.kind == Case.Kind.CHILD and case.subject is not None:
            message = _(
                "No current consent to share information about %(name)s: record it on the "
                "child's page first."
            ) % {"name": case.subject.full_name}
        else:
            message = _(
                "No current consent to share information from an adult caregiver of %(name)s: "
                "record it on their page first."
            ) % {"name": case.household.name}
        raise ApplicationError(message, field="organisation")
    before = snapshot(case, ["status", "step", "closed_on", "closure_reason", "transferred_to"])
    step_before = case.step
    case.status = Case.Status.TRANSFERRED
    case.step = Case.Step.CLOSURE
    case.transferred_to = organisation
    case.closed_on = today()
    case.closure_reason = Case.ClosureReason.TRANSFERRED
    case.closure_note = reason.strip()
    _save(case, ["status", "step", "transferred_to", "closed_on", "closure_reason", "closure_note"])
    audit.record(
        actor=actor,
        action="case.transfer",
        target=case,
        before=before,
        after={
            **snapshot(case, ["status", "step", "closed_on", "transferred_to"]),
            "consent": str(consent.pk),
        },
        note=reason,
    )
    people = (
        [case.subject_id]
        if case.kind == Case.Kind.CHILD
        else list(
            case.household.memberships.filter(ended_on__isnull=True).values_list(
                "person_id", flat=True
            )
        )
    )
    for enrolment in Enrolment.objects.filter(
        programme=case.programme, status=Enrolment.Status.ACTIVE, person_id__in=people
    ).order_by("enrolled_on", "id"):
        registry.enrolment_set_status(
            actor=actor, enrolment=enrolment, status=Enrolment.Status.TRANSFERRED, ended_on=today()
        )
    case_event_add(
        case=case,
        actor=actor,
        kind="case.transfer",
        message=gettext_noop("Transferred to %(organisation)s: %(reason)s"),
        params={"organisation": organisation.name, "reason": reason.strip()},
    )
    _step_event(case, actor, step_before)
    if case.caseworker is not None and case.caseworker_id != actor.pk:
        notify(
            user=case.caseworker,
            kind="case.transferred",
            message=gettext_noop("%(actor)s transferred case %(number)s to %(organisation)s."),
            params={
                "actor": actor.display_name,
                "number": case.number,
                "organisation": organisation.name,
            },
            url=_case_url(case),
        )
    return case


# ---------------------------------------------------------------------------------------------------
# Alternative care: gatekeeping, care changes and placement reviews (DOMAIN.md §4)


@transaction.atomic
def gatekeeping_record(
    *,
    actor: User,
    case: Case,
    child: Person,
    proposed_care: str,
    necessity: str,
    decision: str,
    decided_on: dt.date,
    suitability: str = "",
    alternatives_considered: list[str] | None = None,
    alternatives_note: str = "",
    placement_place: str = "",
    placement_household: Household | None = None,
) -> GatekeepingDecision:
    """Record a gatekeeping decision; a placement made is recorded as the child's care arrangement."""
    _require_case_role(actor)
    _require_open(case)
    _check_child(case, child)
    _not_in_future(decided_on, "decided_on")
    if proposed_care not in FORMAL_CARE:
        raise ApplicationError(_("Choose a kind of formal care."), field="proposed_care")
    if not necessity.strip():
        raise ApplicationError(_("Say whether and why formal care is needed."), field="necessity")
    alternatives = list(dict.fromkeys(alternatives_considered or []))
    if set(alternatives) - set(CareArrangement.Type.values):
        raise ApplicationError(_("Unknown kind of care."), field="alternatives_considered")
    placement = None
    if decision == GatekeepingDecision.Decision.PLACEMENT_MADE:
        if not suitability.strip():
            raise ApplicationError(
                _("Say why this placement suits the child."), field="suitability"
            )
        if not alternatives:
            raise ApplicationError(
                _("Say which alternatives were considered before a placement."),
                field="alternatives_considered",
            )
        placement = registry.care_arrangement_record(
            actor=actor,
            person=child,
            data={
                "type": proposed_care,
                "started_on": decided_on,
                "place": placement_place.strip(),
                "caregiver_household": placement_household,
            },
        )
    record = GatekeepingDecision(
        case=case,
        child=child,
        proposed_care=proposed_care,
        necessity=necessity.strip(),
        suitability=suitability.strip(),
        alternatives_considered=alternatives,
        alternatives_note=alternatives_note.strip(),
        decision=decision,
        decided_on=decided_on,
        decided_by=actor,
        placement=placement,
    )
    record.full_clean()
    record.save(force_insert=True)
    audit.record(
        actor=actor,
        action="gatekeeping.record",
        target=record,
        after=snapshot(
            record,
            ["case", "child", "proposed_care", "decision", "decided_on", "alternatives_considered"],
        ),
    )
    case_event_add(
        case=case,
        actor=actor,
        kind="gatekeeping",
        message=gettext_noop("Gatekeeping for %(child)s (%(care_type)s): %(decision)s."),
        params={"child": child.full_name, "care_type": proposed_care, "decision": decision},
    )
    return record


@transaction.atomic
def care_change_record(
    *,
    actor: User,
    case: Case,
    child: Person,
    care_type: str,
    started_on: dt.date,
    place: str = "",
    caregiver_household: Household | None = None,
    notes: str = "",
) -> CareArrangement:
    """Record a change of a child's care: a reunification, or a move from residential to family care.

    A placement into formal care from outside it needs a gatekeeping decision (gatekeeping_record).
    """
    _require_case_role(actor)
    _require_open(case)
    _check_child(case, child)
    _not_in_future(started_on, "started_on")
    current = child.care_arrangements.filter(ended_on__isnull=True).first()
    if care_type in FORMAL_CARE and (current is None or current.type not in FORMAL_CARE):
        raise ApplicationError(
            _("A placement into formal care is recorded with a gatekeeping decision."),
            field="care_type",
        )
    if current is not None and current.type == care_type:
        raise ApplicationError(_("The child is already in this kind of care."), field="care_type")
    arrangement = registry.care_arrangement_record(
        actor=actor,
        person=child,
        data={
            "type": care_type,
            "started_on": started_on,
            "place": place.strip(),
            "caregiver_household": caregiver_household,
            "notes": notes.strip(),
        },
    )
    if current is not None:
        message = gettext_noop("Care of %(child)s changed from %(care_from)s to %(care_to)s.")
        params = {"child": child.full_name, "care_from": current.type, "care_to": care_type}
    else:
        message = gettext_noop("Care of %(child)s recorded: %(care_to)s.")
        params = {"child": child.full_name, "care_to": care_type}
    case_event_add(case=case, actor=actor, kind="care.change", message=message, params=params)
    return arrangement


@transaction.atomic
def placement_review_record(
    *, actor: User, case: Case, placement: CareArrangement, reviewed_on: dt.date
) -> CareArrangement:
    """A formal care placement was reviewed; the next review is due placement_review_months later.

    What the review found goes in a visit note: the timeline holds no narrative.
    """
    _require_case_role(actor)
    _require_open(case)
    _check_child(case, placement.person)
    _not_in_future(reviewed_on, "reviewed_on")
    if not placement.is_formal or placement.ended_on is not None:
        raise ApplicationError(_("Only a current formal care placement is reviewed."))
    rules = DeadlineRules.of(case.programme)
    registry.care_arrangement_set_review(
        actor=actor,
        arrangement=placement,
        next_review_on=deadlines.placement_review_due(rules, since=reviewed_on),
    )
    case_event_add(
        case=case,
        actor=actor,
        kind="care.review",
        message=gettext_noop("Placement of %(child)s (%(care_type)s) reviewed on %(date)s."),
        params={
            "child": placement.person.full_name,
            "care_type": placement.type,
            "date": reviewed_on.isoformat(),
        },
    )
    return placement


# ---------------------------------------------------------------------------------------------------
# The daily digest (run by cases.tasks every morning)

DUE_MESSAGES = {
    "assessment": gettext_noop("Initial assessment of %(who)s (%(number)s) due on %(date)s."),
    "plan": gettext_noop("Case plan of %(who)s (%(number)s) due on %(date)s."),
    "visit": gettext_noop("Visit to %(who)s (%(number)s) due on %(date)s."),
    "reassessment": gettext_noop("CSI reassessment of %(who)s (%(number)s) due on %(date)s."),
    "placement_review": gettext_noop("Placement review of %(who)s (%(number)s) due on %(date)s."),
}
DIGEST_LINES = 50


def _digest_line(item: DueItem) -> tuple[str, dict[str, Any]]:
    params = {"who": item.who, "number": item.case_number, "date": item.due_on.isoformat()}
    return DUE_MESSAGES[item.kind], params


def _item_key(item: DueItem) -> str:
    return f"{item.case_id}:{item.kind}:{item.due_on.isoformat()}"


@transaction.atomic
def deadline_notify(*, user: User, on: dt.date) -> int:
    """Put a "deadline approaching" notification in the user's inbox for each of their items due
    today or tomorrow, once per item per day; returns how many were created.

    "Their" items are those of cases they are the caseworker of (a supervisor also gets those of
    the team's cases that have no caseworker), so a team's deadlines are not announced to everyone.
    """
    due = due_items(user=user, today=on)
    tomorrow = on + dt.timedelta(days=1)
    mine = [
        item
        for item in [*due.today, *due.week]
        if item.due_on <= tomorrow
        and (
            item.caseworker_id == user.pk
            or (item.caseworker_id is None and user.role == Role.SUPERVISOR)
        )
    ]
    if not mine:
        return 0
    start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
    done = set(
        Notification.objects.filter(user=user, kind="deadline", created_at__gte=start).values_list(
            "params__key", flat=True
        )
    )
    created = 0
    for item in mine:
        key = _item_key(item)
        if key in done:
            continue
        message, params = _digest_line(item)
        notify(
            user=user,
            kind="deadline",
            message=message,
            params={**params, "key": key},
            url=item.url,
            email=False,  # the digest below is the email
        )
        done.add(key)
        created += 1
    return created


def deadline_digest_email(*, user: User, on: dt.date) -> bool:
    """Email the user their overdue and due-today items (in their language); False when none."""
    if not user.email or not user.is_active:
        return False
    due = due_items(user=user, today=on)
    if not (due.overdue or due.today):
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        parts: list[str] = []
        for title, items in ((_("Overdue"), due.overdue), (_("Due today"), due.today)):
            if not items:
                continue
            parts.append(f"{title} ({len(items)})")
            for item in items[:DIGEST_LINES]:
                message, params = _digest_line(item)
                parts.append(f"- {_(message) % params}\n  {settings.OILA_BASE_URL}{item.url}")
            if len(items) > DIGEST_LINES:
                parts.append(_("… and %(count)s more.") % {"count": len(items) - DIGEST_LINES})
            parts.append("")
        subject = _("oila: %(overdue)s overdue, %(today)s due today") % {
            "overdue": len(due.overdue),
            "today": len(due.today),
        }
    send_mail(
        subject=subject,
        message="\n".join(parts).strip(),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,
    )
    return True


def daily_digest(*, on: dt.date) -> dict[str, int]:
    """For every active user who works with cases: deadline notifications and the digest email."""
    users = User.objects.filter(
        is_active=True, role__in=[Role.CASEWORKER, Role.SUPERVISOR, Role.MANAGER]
    ).select_related("team__programme")
    notified = emailed = 0
    for user in users.order_by("username"):
        notified += deadline_notify(user=user, on=on)
        emailed += int(deadline_digest_email(user=user, on=on))
    return {"notifications": notified, "emails": emailed}
