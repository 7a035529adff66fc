"""Reads for capacity building. The one visibility rule of training data (ADR 0014):

Training events and the specialists who take part are not case data. The programme's caseworkers,
supervisors and programme managers see and edit every event and specialist of their programmes
(a caseworker's or supervisor's programme is their team's, a manager's those they are attached to).
Partners, M&E officers (aggregates only, from the results framework), the data protection officer
and administrators see none: a 404, like any record out of scope.

Reading an event's page (names with test scores) writes one read event to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from oila.accounts.models import Programme
from oila.accounts.rules import works_with_cases
from oila.accounts.selectors import programmes_of
from oila.audit import services as audit
from oila.common.ids import uuid_or_404
from oila.common.script import search_key
from oila.registry.models import Enrolment, Person
from oila.training.models import TrainingEvent, TrainingParticipation


def training_programmes(*, user: Any) -> QuerySet[Programme]:
    """The programmes whose training events and specialists the user may see and edit."""
    if not works_with_cases(user):
        return Programme.objects.none()
    return programmes_of(user=user)


def may_manage(*, user: Any, programme: Programme) -> bool:
    """Whether the user may see and edit the programme's training events and specialists."""
    return training_programmes(user=user).filter(pk=programme.pk).exists()


def _active_specialist(**programme: Any) -> Exists:
    """People with an active "specialist" enrolment in the programme(s) given as a lookup."""
    return Exists(
        Enrolment.objects.filter(
            person=OuterRef("pk"),
            group=Enrolment.Group.SPECIALIST,
            status=Enrolment.Status.ACTIVE,
            **programme,
        )
    )


# ---------------------------------------------------------------------------------------------------
# Specialists


def specialist_list(*, user: Any, q: str = "", programme: Any = None) -> QuerySet[Person]:
    """The specialists (active "specialist" enrolment) of the user's programmes, with where they
    work; one query."""
    programmes = training_programmes(user=user)
    if programme is not None:
        programmes = programmes.filter(pk=getattr(programme, "pk", programme))
    qs = Person.objects.filter(
        _active_specialist(programme__in=programmes.values("pk")), merged_into__isnull=True
    )
    for word in search_key(q).split():  # a name typed in either script (like person_list)
        qs = qs.filter(search_text__contains=word)
    return qs.select_related("specialist_profile__organisation").order_by(
        "family_name", "given_name", "id"
    )


def specialist_get(*, user: Any, person_id: Any) -> Person:
    """One specialist of the user's programmes; 404 otherwise."""
    person = specialist_list(user=user).filter(pk=uuid_or_404(person_id)).first()
    if person is None:
        raise Http404
    return person


def specialist_choices(*, event: TrainingEvent) -> QuerySet[Person]:
    """The event programme's specialists who are not taking part in it yet."""
    taking_part = TrainingParticipation.objects.filter(event=event).values("person")
    return (
        Person.objects.filter(merged_into__isnull=True)
        .filter(_active_specialist(programme=event.programme_id))
        .exclude(pk__in=taking_part)
        .select_related("specialist_profile__organisation")
        .order_by("family_name", "given_name", "id")
    )


# ---------------------------------------------------------------------------------------------------
# Events


def event_list(*, user: Any) -> QuerySet[TrainingEvent]:
    """The training events of the user's programmes, newest first, with how many took part."""
    return (
        TrainingEvent.objects.filter(programme__in=training_programmes(user=user).values("pk"))
        .annotate(
            invited=Count("participations"),
            attended_count=Count("participations", filter=Q(participations__attended=True)),
        )
        .select_related("trainer")
        .order_by("-starts_on", "topic", "id")
    )


def event_get(*, user: Any, event_id: Any, audit_read: bool = True) -> TrainingEvent:
    """One event of the user's programmes (404 otherwise); the read is audited."""
    event = (
        TrainingEvent.objects.filter(programme__in=training_programmes(user=user).values("pk"))
        .select_related("programme", "trainer", "created_by")
        .filter(pk=uuid_or_404(event_id))
        .first()
    )
    if event is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=event, action="training.event.view")
    return event


def participations(*, event: TrainingEvent) -> QuerySet[TrainingParticipation]:
    """An event's participants with their agency (the event comes from event_get)."""
    return (
        TrainingParticipation.objects.filter(event=event)
        .select_related("person__specialist_profile__organisation")
        .order_by("person__family_name", "person__given_name", "id")
    )


def participation_get(*, user: Any, participation_id: Any) -> TrainingParticipation:
    """One participation in an event of the user's programmes; 404 otherwise."""
    participation = (
        TrainingParticipation.objects.filter(
            event__programme__in=training_programmes(user=user).values("pk"),
            pk=uuid_or_404(participation_id),
        )
        .select_related("event", "person")
        .first()
    )
    if participation is None:
        raise Http404
    return participation
