"""Specialists and training events for tests, made through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oila.accounts.models import Organisation, Programme, Role, Team
from oila.registry.models import Person
from oila.training import services
from oila.training.models import TrainingEvent
from tests.base import make_user


def specialist(
    actor: Any, organisation: Organisation, given_name: str = "Malika", **kw: Any
) -> Person:
    profile = services.specialist_register(
        actor=actor,
        programme=kw.pop("programme", None) or actor_programme(actor),
        data={"given_name": given_name, "family_name": "Rahimova", "sex": "female"},
        organisation=organisation,
        position=kw.pop("position", "school psychologist"),
        enrolled_on=dt.date(2024, 9, 1),
    )
    return profile.person


def actor_programme(actor: Any) -> Programme:
    return actor.team.programme if actor.team_id else actor.programmes.first()


def event(actor: Any, **data: Any) -> TrainingEvent:
    data.setdefault("topic", "Case management basics")
    data.setdefault("starts_on", dt.date(2025, 4, 14))
    data.setdefault("ends_on", dt.date(2025, 4, 16))
    data.setdefault("trainer_name", "Dilnoza Yusupova")
    data.setdefault("venue", "Urganch, hokimiyat hall")
    programme = data.pop("programme", None) or actor_programme(actor)
    return services.event_create(actor=actor, programme=programme, data=data)


def other_programme(ngo: Organisation) -> tuple[Programme, Any]:
    """A second programme with a caseworker of its own (ivan)."""
    programme = Programme.objects.create(
        name="Samarqand", slug="samarqand", organisation=ngo, starts_on=dt.date(2020, 1, 1)
    )
    team = Team.objects.create(programme=programme, name="Samarqand")
    return programme, make_user("ivan", Role.CASEWORKER, team=team, organisation=ngo)
