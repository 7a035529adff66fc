"""Reads for youth employability. Every one takes the user and applies registry.visibility's rule
to the young person the records are about (ADR 0005): a caseworker sees the young people she owns,
a supervisor her team's, a programme manager the programme's, and other roles none (404).

A young person's page (or full API record) writes one read event to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from oila.audit import services as audit
from oila.cases import deadlines
from oila.common.ids import uuid_or_404
from oila.common.script import search_key
from oila.registry.models import Enrolment, Person
from oila.registry.visibility import owned_scope
from oila.youth.models import FollowUp, Placement, YouthTraining


def _visible_people(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(owned_scope(user), merged_into__isnull=True)


def _youth_enrolment(*, active: bool) -> Exists:
    lookups: dict[str, Any] = {"person": OuterRef("pk"), "group": Enrolment.Group.YOUTH}
    if active:
        lookups["status"] = Enrolment.Status.ACTIVE
    return Exists(Enrolment.objects.filter(**lookups))


# ---------------------------------------------------------------------------------------------------
# Young people


def youth_list(*, user: Any, today: dt.date, q: str = "") -> QuerySet[Person]:
    """The young people (active youth enrolment) the user may see, each with their status: in
    training now, placed now (a current job or self-employment), and the next open follow-up's due
    date. One query whatever their number."""
    in_training = YouthTraining.objects.filter(
        person=OuterRef("pk"), completed=False, starts_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    placed = Placement.objects.filter(
        person=OuterRef("pk"), starts_on__lte=today, ended_on__isnull=True
    )
    next_follow_up = (
        FollowUp.objects.filter(placement__person=OuterRef("pk"), done_on__isnull=True)
        .order_by()
        .values("placement__person")
        .annotate(first=Min("due_on"))
        .values("first")
    )
    qs = _visible_people(user).filter(_youth_enrolment(active=True))
    for word in search_key(q).split():  # a name typed in either script (like person_list)
        qs = qs.filter(search_text__contains=word)
    return (
        qs.annotate(
            in_training=Exists(in_training),
            placed=Exists(placed),
            next_follow_up_on=Subquery(next_follow_up[:1]),
        )
        .select_related("caseworker")
        .order_by("family_name", "given_name", "id")
    )


@dataclass(frozen=True)
class YouthPage:
    person: Person
    trainings: list[YouthTraining]
    placements: list[Placement]
    enrolled: bool  # an active youth enrolment: new records may be added


def youth_person_get(*, user: Any, person_id: Any, audit_read: bool = True) -> Person:
    """A young person (one who has, or had, a youth enrolment) the user may see; 404 otherwise."""
    person = (
        _visible_people(user)
        .filter(_youth_enrolment(active=False))
        .annotate(youth_active=_youth_enrolment(active=True))
        .select_related("programme", "caseworker")
        .filter(pk=uuid_or_404(person_id))
        .first()
    )
    if person is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=person, action="youth.person.view")
    return person


def youth_page(*, user: Any, person_id: Any) -> YouthPage:
    """A young person's employability: trainings, placements and their follow-ups (read audited)."""
    person = youth_person_get(user=user, person_id=person_id)
    trainings = list(
        YouthTraining.objects.filter(person=person)
        .select_related("provider")
        .order_by("-starts_on", "course")
    )
    placements = list(
        Placement.objects.filter(person=person)
        .select_related("employer", "training")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("month")))
        .order_by("-starts_on", "-created_at")
    )
    return YouthPage(
        person=person,
        trainings=trainings,
        placements=placements,
        enrolled=bool(getattr(person, "youth_active", False)),
    )


# ---------------------------------------------------------------------------------------------------
# Records, one at a time and as lists (the API)


def training_list(*, user: Any, person: Any = None) -> QuerySet[YouthTraining]:
    """Youth trainings of the young people the user may see (optionally of one person)."""
    qs = YouthTraining.objects.filter(person__in=_visible_people(user).values("pk"))
    if person is not None:
        qs = qs.filter(person=person)
    return qs.select_related("person", "provider").order_by("-starts_on", "id")


def training_get(*, user: Any, training_id: Any) -> YouthTraining:
    """One youth training of a young person the user may see; 404 otherwise."""
    training = training_list(user=user).filter(pk=uuid_or_404(training_id)).first()
    if training is None:
        raise Http404
    return training


def placement_list(*, user: Any, person: Any = None) -> QuerySet[Placement]:
    """Job placements of the young people the user may see, with their follow-ups."""
    qs = Placement.objects.filter(person__in=_visible_people(user).values("pk"))
    if person is not None:
        qs = qs.filter(person=person)
    return (
        qs.select_related("person", "employer")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("month")))
        .order_by("-starts_on", "id")
    )


def placement_get(*, user: Any, placement_id: Any) -> Placement:
    """One placement of a young person the user may see; 404 otherwise."""
    placement = placement_list(user=user).filter(pk=uuid_or_404(placement_id)).first()
    if placement is None:
        raise Http404
    return placement


DUE_FILTERS = ("open", "overdue", "today", "week", "done")


def follow_up_list(
    *, user: Any, today: dt.date, person: Any = None, due: str = ""
) -> QuerySet[FollowUp]:
    """Follow-ups of the young people the user may see: all, or open / overdue / due today / due
    this week (the next seven days) / done."""
    qs = FollowUp.objects.filter(placement__person__in=_visible_people(user).values("pk"))
    if person is not None:
        qs = qs.filter(placement__person=person)
    end = deadlines.week_end(today)
    open_ = Q(done_on__isnull=True)
    by_due = {
        "open": open_,
        "overdue": open_ & Q(due_on__lt=today),
        "today": open_ & Q(due_on=today),
        "week": open_ & Q(due_on__gt=today, due_on__lte=end),
        "done": Q(done_on__isnull=False),
    }
    if due:
        qs = qs.filter(by_due[due])
    return qs.select_related("placement__person", "placement__employer").order_by(
        "due_on", "placement__person__family_name", "month", "id"
    )


def follow_up_get(*, user: Any, follow_up_id: Any) -> FollowUp:
    """One follow-up of a young person the user may see; 404 otherwise."""
    follow_up = (
        FollowUp.objects.filter(
            placement__person__in=_visible_people(user).values("pk"),
            pk=uuid_or_404(follow_up_id),
        )
        .select_related("placement__person", "placement__employer")
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


# ---------------------------------------------------------------------------------------------------
# What is due (the home page)


@dataclass
class FollowUpsDue:
    overdue: list[FollowUp] = field(default_factory=list)
    today: list[FollowUp] = field(default_factory=list)
    week: list[FollowUp] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # per list: the lists hold the first few

    @property
    def count(self) -> int:
        return sum(self.totals.values())

    def total(self, bucket: str) -> int:
        return self.totals.get(bucket, 0)


FOLLOW_UPS_SHOWN = 25


def follow_ups_due(*, user: Any, today: dt.date, shown: int = FOLLOW_UPS_SHOWN) -> FollowUpsDue:
    """The open follow-ups of the user's young people that are overdue, due today or due in the
    next six days: how many in each list, and the first `shown` of each. Two queries whatever
    their number (dates first; then only the follow-ups shown, with their people)."""
    due = FollowUpsDue()
    rows = FollowUp.objects.filter(
        placement__person__in=_visible_people(user).values("pk"),
        done_on__isnull=True,
        due_on__lte=deadlines.week_end(today),
    ).order_by("due_on", "placement__person__family_name", "month", "id")
    first: list[Any] = []
    for pk, due_on in rows.values_list("pk", "due_on"):
        which = deadlines.bucket(due_on, today=today)
        if which is not None:
            due.totals[which] = due.totals.get(which, 0) + 1
            if due.totals[which] <= shown:
                first.append(pk)
    if first:
        for follow_up in rows.filter(pk__in=first).select_related(
            "placement__person", "placement__employer"
        ):
            getattr(due, str(deadlines.bucket(follow_up.due_on, today=today))).append(follow_up)
    return due
