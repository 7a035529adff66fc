"""Reads of assessments. Personal ones go through the case's visibility rule (404 when out of scope).

Instruments are not personal data: every signed-in user may read them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from oila.assessments.models import Assessment, Instrument, Item, ScaleLevel, Score
from oila.audit import services as audit
from oila.cases.models import Case
from oila.cases.selectors import case_get
from oila.cases.visibility import owned_scope
from oila.common.dates import age_on
from oila.common.dates import today as local_today
from oila.common.ids import uuid_or_404
from oila.registry.models import Membership, Person


def visible_cases(user: Any) -> QuerySet[Case]:
    """The cases the user may see: the one rule that every assessment and plan read goes through."""
    return Case.objects.filter(owned_scope(user))


def instrument_list(*, active_only: bool = True, with_items: bool = True) -> QuerySet[Instrument]:
    """Instruments (the versions in use, or all), with items and scale levels prefetched."""
    qs = Instrument.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    if not with_items:
        return qs.order_by("code", "-version")
    return qs.prefetch_related(
        Prefetch(
            "items",
            queryset=Item.objects.order_by("order").prefetch_related(
                Prefetch("levels", queryset=ScaleLevel.objects.order_by("-value"))
            ),
        )
    ).order_by("code", "-version")


def instrument_get(*, instrument_id: Any) -> Instrument:
    """One instrument version with its items and scale levels; 404 when there is none."""
    instrument = instrument_list(active_only=False).filter(pk=uuid_or_404(instrument_id)).first()
    if instrument is None:
        raise Http404
    return instrument


def instrument_current(*, code: str) -> Instrument:
    """The version of an instrument that is in use; 404 when there is none."""
    instrument = instrument_list().filter(code=code).first()
    if instrument is None:
        raise Http404
    return instrument


def _with_scores(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.select_related("instrument", "subject", "assessor").prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("item").order_by("item__order"))
    )


def assessment_list(*, user: Any, case: Case) -> QuerySet[Assessment]:
    """A case's assessments, newest first, with their scores (the case must be one the user sees)."""
    return _with_scores(
        Assessment.objects.filter(case__in=visible_cases(user).values("pk"), case=case)
    ).order_by("-assessed_on", "-created_at")


def assessment_get(
    *, user: Any, assessment_id: Any, case_id: Any = None, audit_read: bool = True
) -> Assessment:
    """One assessment of a case the user may see (and of the case named, if one is); 404 otherwise."""
    qs = _with_scores(
        Assessment.objects.filter(case__in=visible_cases(user).values("pk")).select_related("case")
    ).prefetch_related(
        Prefetch("scores__item__levels", queryset=ScaleLevel.objects.order_by("-value"))
    )
    if case_id is not None:
        qs = qs.filter(case_id=uuid_or_404(case_id))
    assessment = qs.filter(pk=uuid_or_404(assessment_id)).first()
    if assessment is None:
        raise Http404
    if audit_read:
        audit.record_read(actor=user, target=assessment, action="assessment.view")
    return assessment


# ---------------------------------------------------------------------------------------------------
# Change over time


@dataclass(frozen=True)
class FactorChange:
    """One item's scores over time, oldest first."""

    item: Item
    values: list[int]
    dates: list[dt.date]

    @property
    def first(self) -> int:
        return self.values[0]

    @property
    def latest(self) -> int:
        return self.values[-1]

    @property
    def change(self) -> int:
        return self.latest - self.first


@dataclass(frozen=True)
class Progress:
    """One person's (or the household's) assessments with one instrument, and each factor's change."""

    instrument: Instrument  # the version of the latest assessment
    subject: Person | None
    assessments: list[Assessment]  # oldest first
    factors: list[FactorChange]

    @property
    def low(self) -> int:
        return min((v for f in self.factors for v in f.values), default=0)


def progress(*, assessments: list[Assessment]) -> list[Progress]:
    """Change over time per person and instrument, factor by factor (items matched by code, so
    scores carry across versions of an instrument). Assessments must come with their scores."""
    groups: dict[tuple[Any, str], list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        groups[(assessment.subject_id, assessment.instrument.code)].append(assessment)
    out = []
    for group in groups.values():
        group.sort(key=lambda a: (a.assessed_on, a.created_at))
        latest = group[-1]
        factors = []
        for score in latest.scores.all():
            code = score.item.code
            series = [
                (a.assessed_on, s.value)
                for a in group
                for s in a.scores.all()
                if s.item.code == code
            ]
            factors.append(
                FactorChange(
                    item=score.item,
                    values=[value for _day, value in series],
                    dates=[day for day, _value in series],
                )
            )
        out.append(
            Progress(
                instrument=latest.instrument,
                subject=latest.subject,
                assessments=group,
                factors=factors,
            )
        )
    out.sort(key=lambda p: (p.subject is not None, str(p.subject or ""), p.instrument.code))
    return out


def latest_assessments(*, assessments: list[Assessment]) -> list[Assessment]:
    """The latest assessment of each person (or the household) with each instrument."""
    latest: dict[tuple[Any, str], Assessment] = {}
    for assessment in sorted(assessments, key=lambda a: (a.assessed_on, a.created_at)):
        latest[(assessment.subject_id, assessment.instrument.code)] = assessment
    return list(latest.values())


@dataclass(frozen=True)
class CaseAssessments:
    case: Case
    assessments: list[Assessment]  # newest first
    progress: list[Progress]
    instruments: list[Instrument]


def case_assessments(*, user: Any, case_id: Any) -> CaseAssessments:
    """A case's assessments page: the list, the change over time and the instruments to choose from.

    404 when the case is out of the user's scope; the read is audited once.
    """
    case = case_get(user=user, case_id=case_id, audit_read=False)
    assessments = list(assessment_list(user=user, case=case))
    audit.record_read(actor=user, target=case, action="case.assessments.view")
    instruments = list(Instrument.objects.filter(active=True).order_by("code"))
    return CaseAssessments(
        case=case,
        assessments=assessments,
        progress=progress(assessments=assessments),
        instruments=instruments,
    )


# Whom an instrument is for, by age in years (a person whose date of birth is unknown is offered).
AGES = {"child": (0, 17), "youth": (14, 25)}


def people_for(*, case: Case, instrument: Instrument) -> QuerySet[Person]:
    """The people of a case an instrument may assess: a child-protection case's child; in a family
    case, the children for the CSI and the young people for the employability assessment (anyone
    whose date of birth is unknown is offered too). Nobody for a household instrument."""
    people = case_people(case=case)
    if instrument.applies_to == Instrument.AppliesTo.HOUSEHOLD:
        return people.none()
    if case.kind == Case.Kind.CHILD:
        return people
    low, high = AGES.get(instrument.applies_to, (0, 200))
    on = local_today()
    fitting = [
        person.pk
        for person in people
        if person.birth_date is None or low <= (age_on(person.birth_date, on) or 0) <= high
    ]
    return people.filter(pk__in=fitting)


def case_people(*, case: Case) -> QuerySet[Person]:
    """Whom an assessment of the case may be about: its child, or the household's current members."""
    if case.kind == Case.Kind.CHILD:
        if case.subject_id is None:
            return Person.objects.none()
        return Person.objects.filter(pk=case.subject_id)
    members = Membership.objects.filter(household=case.household_id, ended_on__isnull=True)
    return Person.objects.filter(pk__in=members.values("person_id")).order_by(
        "birth_date", "given_name"
    )
