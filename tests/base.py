"""The fixed cast every test uses (CONVENTIONS.md): who may and who may not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import TestCase

from oila.accounts.models import Organisation, Programme, Role, Team, User
from oila.geo.models import District, Mahalla
from oila.registry import services as registry

PASSWORD = "correct horse battery staple"


def with_audit(queries: int, events: int = 1) -> int:
    """The query count of a request that writes audit events: PostgreSQL takes an advisory lock first."""
    return queries + (events if connection.vendor == "postgresql" else 0)


def make_user(username: str, role: str, **extra: Any) -> User:
    programmes = extra.pop("programmes", [])
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
    if programmes:
        user.programmes.set(programmes)
    return user


class OilaTestCase(TestCase):
    """alice: caseworker (team A); bob: supervisor of team A; carol: caseworker in team B;
    dave: partner focal point; erin: M&E officer; frank: programme manager; grace: data protection
    officer; heidi: administrator. `self.household` is alice's, `self.child` a girl in it."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.ngo = Organisation.objects.create(name="Oila NGO", type=Organisation.Type.PROGRAMME_NGO)
        cls.partner_org = Organisation.objects.create(
            name="School 12", type=Organisation.Type.SCHOOL
        )
        cls.programme = Programme.objects.create(
            name="Khorezm", slug="khorezm", organisation=cls.ngo, starts_on=dt.date(2017, 1, 1)
        )
        cls.team_a = Team.objects.create(programme=cls.programme, name="Urganch")
        cls.team_b = Team.objects.create(programme=cls.programme, name="Xiva")
        cls.urganch = District.objects.get(soato="1733217")
        cls.xiva = District.objects.get(soato="1733226")
        cls.mahalla = Mahalla.objects.create(district=cls.urganch, name_uz="Navroʻz MFY")
        cls.alice = make_user("alice", Role.CASEWORKER, team=cls.team_a, organisation=cls.ngo)
        cls.bob = make_user("bob", Role.SUPERVISOR, team=cls.team_a, organisation=cls.ngo)
        cls.carol = make_user("carol", Role.CASEWORKER, team=cls.team_b, organisation=cls.ngo)
        cls.dave = make_user("dave", Role.PARTNER, organisation=cls.partner_org)
        cls.erin = make_user(
            "erin", Role.ME_OFFICER, organisation=cls.ngo, programmes=[cls.programme]
        )
        cls.frank = make_user(
            "frank", Role.MANAGER, organisation=cls.ngo, programmes=[cls.programme]
        )
        cls.grace = make_user("grace", Role.DPO, organisation=cls.ngo, programmes=[cls.programme])
        cls.heidi = make_user("heidi", Role.ADMIN, organisation=cls.ngo, is_staff=True)
        cls.household = registry.household_register(
            actor=cls.alice,
            data={"name": "Karimovlar", "district": cls.urganch, "mahalla": cls.mahalla},
            members=[
                {
                    "given_name": "Dilshod",
                    "family_name": "Karimov",
                    "sex": "male",
                    "birth_date": dt.date(1985, 3, 1),
                    "relationship": "head",
                },
                {
                    "given_name": "Shahnoza",
                    "family_name": "Karimova",
                    "sex": "female",
                    "birth_date": dt.date(2014, 5, 20),
                    "relationship": "child",
                    "group": "vulnerable_child",
                },
            ],
        )
        cls.child = cls.household.memberships.get(relationship="child").person
        cls.everyone = [
            cls.alice, cls.bob, cls.carol, cls.dave, cls.erin, cls.frank, cls.grace, cls.heidi,
        ]  # fmt: skip

    def other_team_household(self) -> Any:
        return registry.household_register(
            actor=self.carol,
            data={"name": "Xudoyberganovlar", "district": self.xiva},
            members=[{"given_name": "Xurshid", "family_name": "Xudoyberganov", "sex": "male"}],
        )
