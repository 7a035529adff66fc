"""A computation the engine cannot run is refused on save, with a message saying why."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from oila.results import services
from oila.results.models import Indicator
from tests.base import OilaTestCase

ENROLLED = {
    "numerator": {"source": "enrolments", "subject": "person", "period": "active",
                  "conditions": [{"field": "group", "op": "eq", "value": "sos_child"}]},
}  # fmt: skip


class DefinitionTests(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.outcome = services.outcome_create(
            actor=cls.erin, programme=cls.programme, data={"code": "OC1", "title": "Safe"}
        )

    def create(self, definition: Any, unit: str = "count", code: str = "X1") -> Indicator:
        return services.indicator_create(
            actor=self.erin,
            programme=self.programme,
            data={"outcome": self.outcome, "code": code, "name": "Test", "unit": unit,
                  "definition": definition},
        )  # fmt: skip

    def refused(self, definition: Any, unit: str = "count") -> list[str]:
        with self.assertRaises(ValidationError) as caught:
            self.create(definition, unit)
        self.assertFalse(Indicator.objects.filter(code="X1").exists())
        return caught.exception.message_dict["definition"]

    def test_it_saves_a_good_definition_and_audits_it(self) -> None:
        indicator = self.create(ENROLLED)
        self.assertEqual(indicator.definition, ENROLLED)

    def test_it_refuses_a_field_that_is_not_on_the_whitelist(self) -> None:
        bad = copy.deepcopy(ENROLLED)
        bad["numerator"]["conditions"] = [{"field": "pinfl", "op": "eq", "value": "1"}]
        (message,) = self.refused(bad)
        self.assertIn("“pinfl” is not a field of enrolments", message)
        self.assertIn("group, status", message)

    def test_it_refuses_an_unknown_source_and_a_value_outside_the_choices(self) -> None:
        self.assertIn(
            "unknown source “people”", self.refused({"numerator": {"source": "people"}})[0]
        )
        bad = copy.deepcopy(ENROLLED)
        bad["numerator"]["conditions"][0]["value"] = "sos"
        self.assertIn("“sos” is not a value of “group”", self.refused(bad)[0])

    def test_it_refuses_a_percentage_that_mixes_subjects(self) -> None:
        definition = {
            "numerator": {"source": "cases", "subject": "household"},
            "denominator": {"source": "enrolments", "subject": "person"},
        }
        (message,) = self.refused(definition, unit="percentage")
        self.assertIn("counts household but the denominator counts person", message)

    def test_it_refuses_a_denominator_that_can_never_count_anyone(self) -> None:
        definition = {
            "numerator": ENROLLED["numerator"],
            "denominator": {"source": "training", "conditions": [
                {"field": "post_score", "op": "gte", "value": 80},
                {"field": "post_score", "op": "lt", "value": 50},
            ]},
        }  # fmt: skip
        (message,) = self.refused(definition, unit="percentage")
        self.assertIn("conditions of the denominator contradict each other", message)
        both = {"numerator": ENROLLED["numerator"], "denominator": {"source": "enrolments",
                "conditions": [{"field": "status", "op": "eq", "value": "active"},
                               {"field": "status", "op": "eq", "value": "exited"}]}}  # fmt: skip
        self.assertIn("contradict", self.refused(both, unit="percentage")[0])

    def test_it_refuses_units_that_do_not_match_the_parts(self) -> None:
        self.assertIn("needs a “denominator”", self.refused(ENROLLED, unit="percentage")[0])
        with_denominator = {**ENROLLED, "denominator": ENROLLED["numerator"]}
        self.assertIn("A count has no denominator", self.refused(with_denominator)[0])

    def test_it_refuses_active_for_records_without_an_end_date(self) -> None:
        bad = {"numerator": {"source": "referrals", "subject": "record", "period": "active"}}
        self.assertIn("no end date", self.refused(bad)[0])

    def test_an_update_with_a_bad_definition_changes_nothing(self) -> None:
        indicator = self.create(ENROLLED)
        bad = copy.deepcopy(ENROLLED)
        bad["numerator"]["conditions"][0]["field"] = "name"
        with self.assertRaises(ValidationError):
            services.indicator_update(
                actor=self.erin, indicator=indicator, data={"definition": bad}
            )
        indicator.refresh_from_db()
        self.assertEqual(indicator.definition, ENROLLED)

    def test_only_the_programmes_me_officer_and_manager_may_edit(self) -> None:
        for user in (self.alice, self.bob, self.dave, self.grace, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.outcome_create(actor=user, programme=self.programme,
                                        data={"code": "OC9", "title": "No"})  # fmt: skip
        outcome = services.outcome_create(actor=self.frank, programme=self.programme,
                                          data={"code": "OC9", "title": "Yes"})  # fmt: skip
        self.assertEqual(outcome.programme, self.programme)

    def test_the_default_framework_installs_once(self) -> None:
        first = services.framework_install_default(actor=self.erin, programme=self.programme)
        again = services.framework_install_default(actor=self.erin, programme=self.programme)
        self.assertEqual([i.pk for i in first], [i.pk for i in again])
        self.assertEqual(len(first), 7)
        self.assertEqual(self.programme.outcomes.count(), 3)  # OC1 existed already, kept as it was
        target = first[0].targets.get(year=first[0].targets.first().year, quarter=None)
        self.assertEqual(target.value, Decimal(396))
        self.assertIn("demo value", target.note)
