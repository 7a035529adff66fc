"""Young people, trainings and placements for tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.accounts.models import Organisation
from oila.registry import services as registry
from oila.registry.models import Enrolment, Person
from oila.youth import services
from oila.youth.models import Placement, YouthTraining

BORN = dt.date(2005, 6, 1)  # 20 in 2025, 21 in 2026


def organisations() -> tuple[Organisation, Organisation]:
    """A training centre and an employer."""
    centre = Organisation.objects.create(
        name="Urganch kasb-hunar markazi", type=Organisation.Type.TRAINING
    )
    employer = Organisation.objects.create(name="Xorazm Tekstil", type=Organisation.Type.EMPLOYER)
    return centre, employer


def young_person(
    actor: Any,
    household: Any,
    *,
    given_name: str = "Jasur",
    birth_date: dt.date | None = BORN,
    enrol: bool = True,
) -> Person:
    """A member of `household` (taking its owners), enrolled in the youth group unless told not."""
    person = registry.person_create(
        actor=actor,
        data={
            "given_name": given_name,
            "family_name": "Karimov",
            "sex": "male",
            "birth_date": birth_date,
        },
        household=household,
        relationship="child",
        started_on=dt.date(2020, 1, 1),
    )
    if enrol:
        registry.enrolment_create(
            actor=actor,
            programme=person.programme,
            group=Enrolment.Group.YOUTH,
            enrolled_on=dt.date(2024, 1, 1),
            person=person,
        )
    return person


def training(actor: Any, person: Person, provider: Organisation, **data: Any) -> YouthTraining:
    data.setdefault("kind", YouthTraining.Kind.VOCATIONAL)
    data.setdefault("course", "Tailoring")
    data.setdefault("starts_on", dt.date(2025, 1, 15))
    return services.youth_training_create(
        actor=actor, person=person, data={"provider": provider, **data}
    )


def placement(actor: Any, person: Person, employer: Organisation | None, **data: Any) -> Placement:
    data.setdefault("kind", Placement.Kind.EMPLOYMENT if employer else "self_employment")
    data.setdefault("position", "Seamstress")
    data.setdefault("starts_on", dt.date(2025, 3, 10))
    data.setdefault("contract_type", Placement.Contract.FIXED_TERM if employer else "")
    data.setdefault("monthly_wage_uzs", 2_500_000)
    return services.placement_create(
        actor=actor, person=person, data={"employer": employer, **data}
    )
