"""The fixed cast every test uses (CONVENTIONS.md): who may and who may not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.db import connection, connections
from django.test import TestCase, TransactionTestCase

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


class CommittedTestCase(TransactionTestCase):
    """For tests whose data must really be committed (another process reads it: pg_dump, a child
    process, a backup). Unlike a plain TransactionTestCase it starts from, and leaves behind, the
    database as the migrations made it (the districts of Khorezm, content types), whatever test ran
    before it: a TransactionTestCase without this leaves every table empty, and one that flushed
    with Django's post-migrate signal leaves content types that clash with a serialized restore.
    `self.make_cast()` makes the fixed cast of OilaTestCase (alice, bob, …) for the test."""

    serialized_rollback = True  # asks pytest-django to keep the migrated state to restore from

    @classmethod
    def _restore_migrated_state(cls) -> None:
        for alias in cls._databases_names(include_mirrors=False):
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                database=alias,
                reset_sequences=False,
                inhibit_post_migrate=True,
            )
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)

    @classmethod
    def _fixture_setup(cls) -> None:
        cls._restore_migrated_state()
        cls.serialized_rollback = False  # restored above; Django would load it a second time
        try:
            super()._fixture_setup()
        finally:
            cls.serialized_rollback = True

    def _fixture_teardown(self) -> None:
        super()._fixture_teardown()
        self._restore_migrated_state()

    def make_cast(self) -> None:
        OilaTestCase.setUpTestData.__func__(type(self))  # type: ignore[attr-defined]
