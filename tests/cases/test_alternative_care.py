"""Gatekeeping decisions, changes of care, placement reviews and the alternative-care report."""

from __future__ import annotations

import datetime as dt

from oila.cases import services
from oila.cases.models import GatekeepingDecision
from oila.cases.selectors import alternative_care_report
from oila.common.errors import ApplicationError
from oila.registry import services as registry
from oila.registry.models import CareArrangement
from tests.base import OilaTestCase
from tests.cases.factories import child_case, open_case

JAN, FEB, MAR = dt.date(2026, 1, 10), dt.date(2026, 2, 10), dt.date(2026, 3, 5)


def gatekeep(actor: object, case: object, child: object, decision: str, on: dt.date, **kw: object):  # type: ignore[no-untyped-def]
    data = {
        "proposed_care": "residential",
        "necessity": "Mother hospitalised for months.",
        "suitability": "Only place with a free bed." if decision == "placement_made" else "",
        "alternatives_considered": ["informal_kinship", "foster"],
        "decision": decision,
        "decided_on": on,
    }
    data.update(kw)
    return services.gatekeeping_record(actor=actor, case=case, child=child, **data)  # type: ignore[arg-type]


class GatekeepingTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = child_case(self.alice, self.household, self.child)

    def test_a_placement_made_is_recorded_as_the_childs_care(self) -> None:
        decision = gatekeep(self.alice, self.case, self.child, "placement_made", JAN,
                            placement_place="Urganch children's home")  # fmt: skip
        placement = decision.placement
        self.assertIsNotNone(placement)
        self.assertEqual(placement.type, "residential")
        self.assertEqual(placement.place, "Urganch children's home")
        self.assertEqual(placement.next_review_on, dt.date(2026, 4, 10))
        self.assertEqual(decision.decided_by, self.alice)
        self.assertTrue(self.case.events.filter(kind="gatekeeping").exists())

    def test_a_prevented_placement_records_no_care(self) -> None:
        gatekeep(self.alice, self.case, self.child, "placement_prevented", JAN)
        gatekeep(self.alice, self.case, self.child, "family_support", FEB)
        self.assertFalse(CareArrangement.objects.exists())
        self.assertEqual(GatekeepingDecision.objects.count(), 2)

    def test_bad_input_is_refused_and_changes_nothing(self) -> None:
        bad = [
            ({"proposed_care": "parental"}, "proposed_care"),
            ({"necessity": " "}, "necessity"),
            ({"alternatives_considered": []}, "alternatives_considered"),
            ({"suitability": ""}, "suitability"),
            ({"decided_on": dt.date(2999, 1, 1)}, "decided_on"),
        ]
        for extra, field in bad:
            with self.subTest(field=field), self.assertRaises(ApplicationError) as caught:
                gatekeep(self.alice, self.case, self.child, "placement_made", JAN, **extra)
            self.assertEqual(caught.exception.field, field)
        self.assertFalse(GatekeepingDecision.objects.exists())
        self.assertFalse(CareArrangement.objects.exists())

    def test_it_is_about_the_cases_child_only(self) -> None:
        head = self.household.memberships.get(relationship="head").person
        with self.assertRaises(ApplicationError):
            gatekeep(self.alice, self.case, head, "placement_prevented", JAN)
        family = open_case(self.alice, self.household)
        gatekeep(self.alice, family, head, "placement_prevented", JAN)  # any member of the family


class CareChangeTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = child_case(self.alice, self.household, self.child)

    def test_a_placement_into_formal_care_needs_gatekeeping(self) -> None:
        with self.assertRaisesMessage(ApplicationError, "gatekeeping"):
            services.care_change_record(
                actor=self.alice, case=self.case, child=self.child, care_type="foster",
                started_on=JAN,
            )  # fmt: skip
        self.assertFalse(CareArrangement.objects.exists())

    def test_it_records_a_reunification_and_a_move_to_family_care(self) -> None:
        gatekeep(self.alice, self.case, self.child, "placement_made", JAN)
        services.care_change_record(
            actor=self.alice, case=self.case, child=self.child, care_type="foster", started_on=FEB
        )
        services.care_change_record(
            actor=self.alice, case=self.case, child=self.child, care_type="parental", started_on=MAR
        )
        types = list(
            self.child.care_arrangements.order_by("started_on").values_list("type", "ended_on")
        )
        self.assertEqual(
            types,
            [("residential", FEB - dt.timedelta(days=1)), ("foster", MAR - dt.timedelta(days=1)),
             ("parental", None)],
        )  # fmt: skip
        self.assertEqual(self.case.events.filter(kind="care.change").count(), 2)

    def test_a_placement_review_sets_the_next_one(self) -> None:
        placement = gatekeep(self.alice, self.case, self.child, "placement_made", JAN).placement
        services.placement_review_record(
            actor=self.alice, case=self.case, placement=placement, reviewed_on=MAR
        )
        placement.refresh_from_db()
        self.assertEqual(placement.next_review_on, dt.date(2026, 6, 5))
        with self.assertRaises(ApplicationError):
            services.placement_review_record(
                actor=self.alice, case=self.case, placement=placement,
                reviewed_on=dt.date(2999, 1, 1),
            )  # fmt: skip


class AlternativeCareReportTests(OilaTestCase):
    def test_it_counts_prevented_placements_reunifications_and_moves_per_month(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        gatekeep(self.alice, case, self.child, "placement_prevented", JAN)
        gatekeep(self.alice, case, self.child, "family_support", JAN)
        gatekeep(self.alice, case, self.child, "placement_made", FEB)
        services.care_change_record(
            actor=self.alice, case=case, child=self.child, care_type="parental", started_on=MAR
        )
        # Another child moved from an institution to an SOS family in March.
        other = registry.household_member_add(
            actor=self.alice,
            household=self.household,
            member={"given_name": "Aziz", "family_name": "Karimov", "sex": "male",
                    "relationship": "foster_child"},
        )  # fmt: skip
        registry.care_arrangement_record(
            actor=self.alice, person=other, data={"type": "residential", "started_on": JAN}
        )
        registry.care_arrangement_record(
            actor=self.alice, person=other, data={"type": "family_like", "started_on": MAR}
        )
        report = alternative_care_report(
            user=self.bob, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
        )
        rows = {
            r.month: (r.placements_made, r.prevented_total, r.family_support_instead,
                      r.reunifications, r.residential_to_family)
            for r in report.months
        }  # fmt: skip
        self.assertEqual(
            rows,
            {
                dt.date(2026, 1, 1): (0, 2, 1, 0, 0),
                dt.date(2026, 2, 1): (1, 0, 0, 0, 0),
                dt.date(2026, 3, 1): (0, 0, 0, 1, 2),
            },
        )
        self.assertEqual(report.total.reunifications, 1)
        self.assertEqual(report.total.residential_to_family, 2)
        self.assertEqual(report.total.prevented_total, 2)

    def test_it_counts_only_the_children_the_user_may_see(self) -> None:
        case = child_case(self.alice, self.household, self.child)
        gatekeep(self.alice, case, self.child, "placement_prevented", JAN)
        period = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
        self.assertEqual(
            alternative_care_report(user=self.frank, **period).total.prevented_total, 1
        )
        self.assertEqual(
            alternative_care_report(user=self.carol, **period).total.prevented_total, 0
        )
        self.assertEqual(alternative_care_report(user=self.bob, start=FEB, end=MAR).months, [])
