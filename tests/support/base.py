"""The cast of tests/base.py plus a service catalogue, agencies that offer services and a case."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from oila.accounts.models import Organisation, Role
from tests.base import make_user
from tests.cases.factories import child_case
from tests.registry.test_views import EnglishPages
from tests.support.factories import catalogue, offer


class SupportTestCase(EnglishPages):
    """`self.case`: alice's child-protection case of Shahnoza (self.child). School 12 (dave's agency)
    offers tutoring and school supplies; the health centre (its focal point: `self.hana`) offers
    medical check-ups."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.types = catalogue(cls.programme)
        cls.tutoring = cls.types["tutoring"]
        cls.checkup = cls.types["health_check"]
        cls.group_type = cls.types["psychosocial_group"]
        cls.health_org = Organisation.objects.create(
            name="Xiva family polyclinic", type=Organisation.Type.HEALTH
        )
        cls.hana = make_user("hana", Role.PARTNER, organisation=cls.health_org)
        offer(cls.heidi, cls.partner_org, cls.tutoring, cls.types["school_supplies"])
        offer(cls.heidi, cls.health_org, cls.checkup)
        cls.case = child_case(cls.alice, cls.household, cls.child)
        cls.father = cls.household.memberships.get(relationship="head").person

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))  # service messages and names in English

    def login(self, user: Any) -> None:
        self.client.force_login(user)
