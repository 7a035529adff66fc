"""Writes for capacity building. Each service validates, saves and audits in one transaction.

Who may write: the programme's caseworkers, supervisors and managers (training.selectors'
rule, ADR 0014). A specialist is a registry person (no household, no case) enrolled in the
programme's "specialist" group; the registry's services register and enrol them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oila.accounts.models import Organisation, Programme, User
from oila.audit import services as audit
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.common.services import model_update, snapshot
from oila.registry import services as registry
from oila.registry.models import Enrolment, Person
from oila.training.models import Specialist, TrainingEvent, TrainingParticipation
from oila.training.selectors import may_manage

EVENT_FIELDS = ["topic", "starts_on", "ends_on", "trainer", "trainer_name", "venue"]
RESULT_FIELDS = [
    "attended",
    "pre_score",
    "post_score",
    "certificate_number",
    "certificate_issued_on",
]


def _require_manager(actor: User, programme: Programme) -> None:
    if not may_manage(user=actor, programme=programme):
        raise PermissionDenied(_("You do not organise training for this programme."))


def _is_active_specialist(person: Person, programme: Programme) -> bool:
    return Enrolment.objects.filter(
        person=person,
        programme=programme,
        group=Enrolment.Group.SPECIALIST,
        status=Enrolment.Status.ACTIVE,
    ).exists()


# ---------------------------------------------------------------------------------------------------
# Specialists


@transaction.atomic
def specialist_profile_set(
    *, actor: User, person: Person, organisation: Organisation, position: str = ""
) -> Specialist:
    """Record (or change) the agency a specialist works for and their position there."""
    _require_manager(actor, person.programme)
    if not _is_active_specialist(person, person.programme):
        raise ApplicationError(
            _("%(name)s is not enrolled as a specialist of the programme.")
            % {"name": person.full_name}
        )
    profile = Specialist.objects.filter(person=person).first()
    if profile is None:
        profile = Specialist(person=person, organisation=organisation, position=position)
        profile.full_clean()
        profile.save(force_insert=True)
        audit.record(
            actor=actor,
            action="training.specialist.create",
            target=profile,
            after=snapshot(profile, ["person", "organisation", "position"]),
        )
        return profile
    profile, before, after = model_update(
        instance=profile,
        data={"organisation": organisation, "position": position},
        fields=["organisation", "position"],
    )
    if after:
        audit.record(
            actor=actor,
            action="training.specialist.update",
            target=profile,
            before=before,
            after=after,
        )
    return profile


@transaction.atomic
def specialist_register(
    *,
    actor: User,
    programme: Programme,
    data: dict[str, Any],
    organisation: Organisation,
    position: str = "",
    enrolled_on: dt.date | None = None,
) -> Specialist:
    """Register a professional of a partner agency as a specialist: a person with no household,
    enrolled in the programme's "specialist" group, with their agency and position."""
    _require_manager(actor, programme)
    person = registry.person_create(actor=actor, data=data, programme=programme)
    registry.enrolment_create(
        actor=actor,
        programme=programme,
        group=Enrolment.Group.SPECIALIST,
        enrolled_on=enrolled_on or today(),
        person=person,
    )
    return specialist_profile_set(
        actor=actor, person=person, organisation=organisation, position=position
    )


# ---------------------------------------------------------------------------------------------------
# Events


def _check_event(event: TrainingEvent) -> None:
    if not (event.trainer_id or event.trainer_name.strip()):
        raise ApplicationError(
            _("Name the trainer, or choose a staff member who trains."), field="trainer_name"
        )


@transaction.atomic
def event_create(*, actor: User, programme: Programme, data: dict[str, Any]) -> TrainingEvent:
    """Record a training event of the programme (topic, dates, trainer, venue)."""
    _require_manager(actor, programme)
    values = {k: v for k, v in data.items() if k in EVENT_FIELDS}
    event = TrainingEvent(programme=programme, created_by=actor, **values)
    if event.starts_on and event.ends_on and event.ends_on < event.starts_on:
        raise ApplicationError(_("An event cannot end before it starts."), field="ends_on")
    _check_event(event)
    event.full_clean()
    event.save(force_insert=True)
    audit.record(
        actor=actor,
        action="training.event.create",
        target=event,
        after=snapshot(event, ["programme", *EVENT_FIELDS]),
    )
    return event


@transaction.atomic
def event_update(*, actor: User, event: TrainingEvent, data: dict[str, Any]) -> TrainingEvent:
    """Change an event's topic, dates, trainer or venue."""
    _require_manager(actor, event.programme)
    starts_on = data.get("starts_on", event.starts_on)
    ends_on = data.get("ends_on", event.ends_on)
    if starts_on and ends_on and ends_on < starts_on:
        raise ApplicationError(_("An event cannot end before it starts."), field="ends_on")
    event, before, after = model_update(instance=event, data=data, fields=EVENT_FIELDS)
    _check_event(event)
    if after:
        audit.record(
            actor=actor, action="training.event.update", target=event, before=before, after=after
        )
    return event


@transaction.atomic
def participants_add(
    *, actor: User, event: TrainingEvent, people: list[Person]
) -> list[TrainingParticipation]:
    """Invite specialists to an event; those already taking part are left as they are."""
    _require_manager(actor, event.programme)
    active = set(
        Enrolment.objects.filter(
            person__in=[p.pk for p in people],
            programme=event.programme_id,
            group=Enrolment.Group.SPECIALIST,
            status=Enrolment.Status.ACTIVE,
        ).values_list("person_id", flat=True)
    )
    outsiders = [p.full_name for p in people if p.pk not in active]
    if outsiders:
        raise ApplicationError(
            _("Not specialists of this programme: %(names)s.") % {"names": ", ".join(outsiders)},
            field="people",
        )
    taking_part = set(
        TrainingParticipation.objects.filter(event=event).values_list("person_id", flat=True)
    )
    new = [
        TrainingParticipation(event=event, person=p)
        for p in {p.pk: p for p in people}.values()
        if p.pk not in taking_part
    ]
    if not new:
        return []
    TrainingParticipation.objects.bulk_create(new)
    audit.record(
        actor=actor,
        action="training.participants.add",
        target=event,
        after={"people": [str(p.person_id) for p in new]},
    )
    return new


@transaction.atomic
def participant_remove(*, actor: User, participation: TrainingParticipation) -> None:
    """Take an invited specialist off an event (not once attendance or scores are recorded)."""
    _require_manager(actor, participation.event.programme)
    if participation.attended:
        raise ApplicationError(
            _("%(name)s attended this event: the record stays.")
            % {"name": participation.person.full_name}
        )
    audit.record(
        actor=actor,
        action="training.participants.remove",
        target=participation.event,
        before={"people": [str(participation.person_id)]},
    )
    participation.delete()


@dataclass(frozen=True)
class ResultRow:
    """What was entered for one participant; `key` names the row in error messages."""

    participation: TrainingParticipation
    attended: bool
    pre_score: int | None = None
    post_score: int | None = None
    certificate_number: str = ""
    certificate_issued_on: dt.date | None = None
    key: str = ""


def _row_errors(row: ResultRow, event: TrainingEvent) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("pre_score", "post_score"):
        value = getattr(row, name)
        if value is not None and not 0 <= value <= 100:
            errors[name] = _("A score is a percentage from 0 to 100.")
    has_results = (
        row.pre_score is not None
        or row.post_score is not None
        or bool(row.certificate_number.strip())
        or row.certificate_issued_on is not None
    )
    if has_results and not row.attended:
        errors["attended"] = _("Scores and certificates are only for those who attended.")
    if row.certificate_issued_on is not None and row.certificate_issued_on < event.starts_on:
        errors["certificate_issued_on"] = _(
            "A certificate cannot be issued before the event started."
        )
    return errors


@transaction.atomic
def event_results_record(
    *, actor: User, event: TrainingEvent, rows: list[ResultRow]
) -> list[TrainingParticipation]:
    """Record attendance, pre- and post-test scores (percentages) and certificates of an event's
    participants in one go: all rows are checked first, and any mistake saves nothing."""
    _require_manager(actor, event.programme)
    if event.starts_on > today():
        raise ApplicationError(_("Attendance is recorded once the event has started."))
    errors: dict[str, Any] = {}
    for row in rows:
        if row.participation.event_id != event.pk:
            raise ApplicationError(_("Not a participant of this event."))
        for name, message in _row_errors(row, event).items():
            errors[f"{row.key or row.participation.pk}.{name}"] = [message]
    if errors:
        raise ValidationError(errors)
    changed: list[TrainingParticipation] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for row in rows:
        participation = row.participation
        number = row.certificate_number.strip()
        issued_on = row.certificate_issued_on
        if number and issued_on is None:
            issued_on = participation.certificate_issued_on or event.ends_on
        values = {
            "attended": row.attended,
            "pre_score": row.pre_score,
            "post_score": row.post_score,
            "certificate_number": number,
            "certificate_issued_on": issued_on,
        }
        old = snapshot(participation, RESULT_FIELDS)
        for name, value in values.items():
            setattr(participation, name, value)
        new = snapshot(participation, RESULT_FIELDS)
        if new != old:
            # The rules of the check constraints were checked above for every row; validating
            # them again here would cost a query per constraint and row.
            participation.full_clean(
                exclude=["event", "person"], validate_unique=False, validate_constraints=False
            )
            changed.append(participation)
            before[str(participation.person_id)] = old
            after[str(participation.person_id)] = new
    if changed:
        now = timezone.now()
        for participation in changed:
            participation.updated_at = now  # bulk_update does not set auto_now fields
        TrainingParticipation.objects.bulk_update(changed, [*RESULT_FIELDS, "updated_at"])
        audit.record(
            actor=actor, action="training.results", target=event, before=before, after=after
        )
    return changed
