"""Planting beneficiaries and photos for the public page's tests, through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from oila.accounts.models import Programme, User
from oila.common.dates import today
from oila.public import services
from oila.public.models import Photo
from oila.public.png import landscape
from oila.registry import services as registry
from oila.registry.models import Household, Person


def years_ago(years: int) -> dt.date:
    t = today()
    return dt.date(t.year - years, 1, 15)


def family(
    actor: User,
    district: Any,
    *,
    girls: int,
    boys: int,
    group: str = "vulnerable_child",
    age: int = 8,
    kind: str = "vulnerable",
    name: str = "Planted",
) -> Household:
    """A household with an adult head and `girls` + `boys` members enrolled in `group`."""
    members: list[dict[str, Any]] = [
        {"given_name": "Otabek", "family_name": name, "sex": "male",
         "birth_date": years_ago(40), "relationship": "head"},
    ]  # fmt: skip
    for i in range(girls + boys):
        members.append(
            {
                "given_name": f"Bola{i}",
                "family_name": name,
                "sex": "female" if i < girls else "male",
                "birth_date": years_ago(age),
                "relationship": "child",
                "group": group,
            }
        )
    return registry.household_register(
        actor=actor, data={"name": f"{name}lar", "district": district, "kind": kind},
        members=members,
    )  # fmt: skip


def specialists(actor: User, programme: Programme, count: int) -> list[Person]:
    people = []
    for i in range(count):
        person = registry.person_create(
            actor=actor,
            data={"given_name": f"Mutaxassis{i}", "family_name": "Expertova", "sex": "female",
                  "birth_date": years_ago(35)},
            programme=programme,
        )  # fmt: skip
        registry.enrolment_create(
            actor=actor, programme=programme, person=person, group="specialist",
            enrolled_on=dt.date(2020, 1, 1),
        )  # fmt: skip
        people.append(person)
    return people


def photo_consent(actor: User, person: Person, *, given_by: str = "self") -> Any:
    data: dict[str, Any] = {"purpose": "photos", "given_by": given_by, "given_on": today()}
    if given_by != "self":
        data["given_by_name"] = "Ona"
    return registry.consent_record(actor=actor, person=person, data=data)


def picture() -> ContentFile:
    return ContentFile(landscape(16, 12, (90, 140, 200), (90, 150, 60), (250, 210, 60)), "p.png")


def photo(
    actor: User, programme: Programme, subjects: list[Person], caption: str = "A day out"
) -> Photo:
    return services.photo_upload(
        actor=actor, programme=programme, file=picture(), caption=caption, subjects=subjects
    )
