"""Writes for youth employability. Each service validates, saves and audits in one transaction.

Who may write: the roles that register and work with families (caseworker, supervisor, programme
manager), on young people they can see (the views and the API fetch the person through the
selectors, which apply registry.visibility).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oila.accounts.models import Organisation, Programme, User
from oila.audit import services as audit
from oila.cases import services as cases
from oila.cases.deadlines import add_months
from oila.cases.models import OPEN_STATUSES, Case
from oila.common.dates import age_on, today
from oila.common.errors import ApplicationError
from oila.common.services import snapshot
from oila.registry.models import Enrolment, Person
from oila.registry.visibility import can_register
from oila.youth.models import FollowUp, Placement, YouthTraining

YOUTH_MIN_AGE, YOUTH_MAX_AGE = 15, 24  # DOMAIN.md §6: youth 15–24 for employability

TRAINING_FIELDS = ["kind", "provider", "course", "starts_on", "ends_on"]
COMPLETION_FIELDS = ["completed", "completed_on", "certificate_number", "certificate_issued_on"]
PLACEMENT_FIELDS = [
    "kind",
    "employer",
    "training",
    "position",
    "starts_on",
    "contract_type",
    "monthly_wage_uzs",
]
FOLLOW_UP_FIELDS = ["done_on", "still_working", "monthly_wage_uzs"]


def _require_writer(actor: User) -> None:
    if not can_register(actor):
        raise PermissionDenied(_("Your role does not allow recording young people's work."))


def check_young_person(*, person: Person, on: dt.date) -> None:
    """Refuse unless the person is 15–24 on the date and actively enrolled in the youth group of
    their programme (ApplicationError with a message for the user)."""
    name = person.full_name
    age = age_on(person.birth_date, on)
    if age is None:
        raise ApplicationError(
            _(
                "%(name)s has no date of birth: employability records are for young people aged "
                "15 to 24. Add the date of birth (or an estimated one) first."
            )
            % {"name": name}
        )
    if not YOUTH_MIN_AGE <= age <= YOUTH_MAX_AGE:
        raise ApplicationError(
            _(
                "%(name)s is %(age)s years old on %(date)s: employability records are for young "
                "people aged 15 to 24."
            )
            % {"name": name, "age": age, "date": on.isoformat()},
            field="starts_on",
        )
    enrolled = Enrolment.objects.filter(
        person=person,
        programme=person.programme_id,
        group=Enrolment.Group.YOUTH,
        status=Enrolment.Status.ACTIVE,
    ).exists()
    if not enrolled:
        raise ApplicationError(
            _(
                "%(name)s is not enrolled in the programme's group of young people seeking work. "
                "Enrol them on their page first."
            )
            % {"name": name}
        )


def _not_in_future(day: dt.date | None, field: str, message: str) -> None:
    if day is not None and day > today():
        raise ApplicationError(message, field=field)


def _open_case_of(person: Person) -> Case | None:
    """The person's own open child-protection case, else an open case of their household."""
    return (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(
            Q(kind=Case.Kind.CHILD, subject=person)
            | Q(
                kind=Case.Kind.FAMILY,
                household__memberships__person=person,
                household__memberships__ended_on__isnull=True,
            )
        )
        .order_by("kind", "opened_on")  # "child" sorts before "family"
        .first()
    )


def _timeline(
    *, actor: User, person: Person, kind: str, message: str, params: dict[str, Any]
) -> None:
    """A line on the timeline of the person's open case, when there is one."""
    case = _open_case_of(person)
    if case is not None:
        cases.case_event_add(
            case=case,
            actor=actor,
            kind=kind,
            message=message,
            params={"name": person.given_name, **params},
            url=reverse("youth:person", args=[person.pk]),
        )


# ---------------------------------------------------------------------------------------------------
# Training


@transaction.atomic
def youth_training_create(*, actor: User, person: Person, data: dict[str, Any]) -> YouthTraining:
    """Enrol a young person (15–24, in the youth group) in a vocational or life-skills course."""
    _require_writer(actor)
    values = {k: v for k, v in data.items() if k in TRAINING_FIELDS}
    starts_on = values.get("starts_on")
    if starts_on is None:
        raise ApplicationError(_("Give the date the training starts."), field="starts_on")
    provider = values.get("provider")
    if provider is not None and provider.type != Organisation.Type.TRAINING:
        raise ApplicationError(
            _("Choose an organisation registered as a training centre."), field="provider"
        )
    check_young_person(person=person, on=starts_on)
    training = YouthTraining(
        programme_id=person.programme_id, person=person, recorded_by=actor, **values
    )
    training.full_clean()
    training.save(force_insert=True)
    audit.record(
        actor=actor,
        action="youth.training.create",
        target=training,
        after=snapshot(training, ["person", *TRAINING_FIELDS]),
    )
    _timeline(
        actor=actor,
        person=person,
        kind="youth.training",
        message=gettext_noop("%(name)s started a training course (%(date)s)."),
        params={"date": starts_on.isoformat()},
    )
    return training


@transaction.atomic
def youth_training_complete(
    *,
    actor: User,
    training: YouthTraining,
    completed_on: dt.date,
    certificate_number: str = "",
    certificate_issued_on: dt.date | None = None,
) -> YouthTraining:
    """Record that a young person completed a course, with the certificate they received."""
    _require_writer(actor)
    if completed_on < training.starts_on:
        raise ApplicationError(
            _("A course cannot be completed before it started."), field="completed_on"
        )
    _not_in_future(completed_on, "completed_on", _("The completion date cannot be in the future."))
    certificate_number = (certificate_number or "").strip()
    if certificate_number and certificate_issued_on is None:
        certificate_issued_on = completed_on
    if certificate_issued_on is not None:
        if certificate_issued_on < completed_on:
            raise ApplicationError(
                _("A certificate cannot be issued before the course was completed."),
                field="certificate_issued_on",
            )
        _not_in_future(
            certificate_issued_on,
            "certificate_issued_on",
            _("The certificate date cannot be in the future."),
        )
    before = snapshot(training, COMPLETION_FIELDS)
    training.completed = True
    training.completed_on = completed_on
    training.certificate_number = certificate_number
    training.certificate_issued_on = certificate_issued_on
    training.full_clean()
    training.save(update_fields=[*COMPLETION_FIELDS, "updated_at"])
    audit.record(
        actor=actor,
        action="youth.training.complete",
        target=training,
        before=before,
        after=snapshot(training, COMPLETION_FIELDS),
    )
    _timeline(
        actor=actor,
        person=training.person,
        kind="youth.training",
        message=gettext_noop("%(name)s completed a training course (%(date)s)."),
        params={"date": completed_on.isoformat()},
    )
    return training


# ---------------------------------------------------------------------------------------------------
# Placements and follow-ups


def follow_up_months(programme: Programme) -> list[int]:
    """The months after a placement's start at which follow-ups fall due (a programme setting)."""
    value = programme.setting("youth_follow_up_months")
    try:
        months = sorted({int(m) for m in value})
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            _("The programme's youth_follow_up_months setting must be a list of months.")
        ) from exc
    if not months or months[0] < 1:
        raise ApplicationError(
            _("The programme's youth_follow_up_months setting must be a list of months.")
        )
    return months


def follow_up_schedule(*, starts_on: dt.date, months: list[int]) -> list[tuple[int, dt.date]]:
    """(month, due date) of each follow-up: the same day N months later, or the month's last day
    when it has no such day (a placement on 31 August: 30 November, 28/29 February, 31 August)."""
    return [(m, add_months(starts_on, m)) for m in months]


def _validate_placement(person: Person, values: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    wage = values.get("monthly_wage_uzs")
    if wage is not None and wage < 0:
        errors["monthly_wage_uzs"] = _("A monthly wage cannot be below zero.")
    employer = values.get("employer")
    if values.get("kind") == Placement.Kind.EMPLOYMENT:
        if employer is None:
            errors["employer"] = _("Choose the employer (or record self-employment).")
        elif employer.type != Organisation.Type.EMPLOYER:
            errors["employer"] = _("Choose an organisation registered as an employer.")
        if not values.get("contract_type"):
            errors["contract_type"] = _("Choose the type of contract.")
    elif employer is not None:
        errors["employer"] = _("A self-employed young person has no employer.")
    training = values.get("training")
    if training is not None and training.person_id != person.pk:
        errors["training"] = _("This training is not this young person's.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def placement_create(*, actor: User, person: Person, data: dict[str, Any]) -> Placement:
    """Record a job or self-employment that a young person started; its follow-ups (3, 6 and 12
    months by default) are scheduled at once."""
    _require_writer(actor)
    values = {k: v for k, v in data.items() if k in PLACEMENT_FIELDS}
    if values.get("kind") == Placement.Kind.SELF_EMPLOYMENT:
        values["contract_type"] = ""
    starts_on = values.get("starts_on")
    if starts_on is None:
        raise ApplicationError(_("Give the date the work started."), field="starts_on")
    _validate_placement(person, values)
    _not_in_future(starts_on, "starts_on", _("Record a placement once the work has started."))
    check_young_person(person=person, on=starts_on)
    months = follow_up_months(person.programme)
    placement = Placement(
        programme_id=person.programme_id, person=person, recorded_by=actor, **values
    )
    placement.full_clean()
    placement.save(force_insert=True)
    follow_ups = [
        FollowUp(placement=placement, month=month, due_on=due_on)
        for month, due_on in follow_up_schedule(starts_on=starts_on, months=months)
    ]
    for follow_up in follow_ups:
        # One row per month of a fresh placement: unique by construction.
        follow_up.full_clean(
            exclude=["placement"], validate_unique=False, validate_constraints=False
        )
    FollowUp.objects.bulk_create(follow_ups)
    audit.record(
        actor=actor,
        action="youth.placement.create",
        target=placement,
        after={
            **snapshot(placement, ["person", *PLACEMENT_FIELDS]),
            "follow_ups": {str(f.month): f.due_on for f in follow_ups},
        },
    )
    _timeline(
        actor=actor,
        person=person,
        kind="youth.placement",
        message=gettext_noop("%(name)s started work (%(date)s)."),
        params={"date": starts_on.isoformat()},
    )
    return placement


@transaction.atomic
def placement_end(*, actor: User, placement: Placement, ended_on: dt.date) -> Placement:
    """Record that a job or self-employment ended (its open follow-ups stay due: they ask whether
    the young person is working at all)."""
    _require_writer(actor)
    if placement.ended_on is not None:
        raise ApplicationError(_("This placement has already ended."))
    if ended_on < placement.starts_on:
        raise ApplicationError(_("A placement cannot end before it started."), field="ended_on")
    _not_in_future(ended_on, "ended_on", _("The end date cannot be in the future."))
    placement.ended_on = ended_on
    placement.full_clean()
    placement.save(update_fields=["ended_on", "updated_at"])
    audit.record(
        actor=actor,
        action="youth.placement.end",
        target=placement,
        before={"ended_on": None},
        after={"ended_on": ended_on},
    )
    return placement


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    follow_up: FollowUp,
    done_on: dt.date,
    still_working: bool,
    monthly_wage_uzs: int | None = None,
    note: str = "",
) -> FollowUp:
    """Record a follow-up: on which day the young person was asked, and whether they still work.

    Recording it again corrects it; the audit trail keeps both.
    """
    _require_writer(actor)
    placement = follow_up.placement
    if done_on < placement.starts_on:
        raise ApplicationError(
            _("A follow-up cannot be before the placement started (%(date)s).")
            % {"date": placement.starts_on.isoformat()},
            field="done_on",
        )
    _not_in_future(done_on, "done_on", _("A follow-up cannot be recorded in advance."))
    if monthly_wage_uzs is not None and monthly_wage_uzs < 0:
        raise ApplicationError(_("A monthly wage cannot be below zero."), field="monthly_wage_uzs")
    if not still_working:
        monthly_wage_uzs = None
    before = snapshot(follow_up, FOLLOW_UP_FIELDS)
    follow_up.done_on = done_on
    follow_up.still_working = still_working
    follow_up.monthly_wage_uzs = monthly_wage_uzs
    follow_up.note = note
    follow_up.recorded_by = actor
    follow_up.full_clean()
    follow_up.save(update_fields=[*FOLLOW_UP_FIELDS, "note", "recorded_by", "updated_at"])
    audit.record(
        actor=actor,
        action="youth.follow_up.record",
        target=follow_up,
        before=before,
        # The note is a narrative (encrypted at rest): the event says that it changed, not what it is.
        after={**snapshot(follow_up, FOLLOW_UP_FIELDS), "note": "[encrypted]" if note else ""},
    )
    _timeline(
        actor=actor,
        person=placement.person,
        kind="youth.follow_up",
        message=(
            gettext_noop("%(month)s-month follow-up: %(name)s is still working.")
            if still_working
            else gettext_noop("%(month)s-month follow-up: %(name)s is no longer working.")
        ),
        params={"month": follow_up.month},
    )
    return follow_up
