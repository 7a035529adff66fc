"""Goals suggested for every factor scored 1 or 2 in the latest assessment of each person."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from oila.common.dates import today
from oila.plans import selectors, services
from tests.assessments.factories import csi_scores, instrument, open_case, record, scores_for
from tests.base import OilaTestCase
from tests.plans.factories import draft


class GoalSuggestionTests(OilaTestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.case = open_case(self.alice, self.household)

    def suggested(self, plan: object = None) -> list[tuple[str, object, int]]:
        found = selectors.goal_suggestions(user=self.alice, case=self.case, plan=plan)  # type: ignore[arg-type]
        return [(s.item.code, s.person, s.score) for s in found]

    def test_it_suggests_exactly_the_factors_scored_1_or_2(self) -> None:
        record(
            self.alice,
            self.case,
            subject=self.child,
            scores=csi_scores(3, **{"1A": 1, "2B": 2, "5A": 4, "6B": 2}),
        )
        self.assertEqual(
            self.suggested(),
            [("1A", self.child, 1), ("2B", self.child, 2), ("6B", self.child, 2)],
        )
        texts = [s.text for s in selectors.goal_suggestions(user=self.alice, case=self.case)]
        self.assertEqual(texts[0], "Has enough food to eat at all times of the year")

    def test_it_uses_only_the_latest_assessment_of_each_person_and_instrument(self) -> None:
        record(
            self.alice,
            self.case,
            subject=self.child,
            assessed_on=today() - dt.timedelta(days=200),
            scores=csi_scores(3, **{"1A": 1, "4A": 1}),
        )
        record(self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"4A": 2}))
        economy = instrument("family-economy")
        record(
            self.alice, self.case, code="family-economy", scores=scores_for(economy, 3, **{"4B": 1})
        )
        self.assertEqual(self.suggested(), [("4B", None, 1), ("4A", self.child, 2)])

    def test_it_suggests_nothing_when_every_factor_is_3_or_4(self) -> None:
        record(self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 4}))
        self.assertEqual(self.suggested(), [])

    def test_it_leaves_out_factors_the_plan_already_has_a_goal_for(self) -> None:
        record(
            self.alice, self.case, subject=self.child, scores=csi_scores(3, **{"1A": 1, "3A": 2})
        )
        plan = draft(self.alice, self.case, goals=[])
        first = selectors.goal_suggestions(user=self.alice, case=self.case, plan=plan)[0]
        services.goal_add(
            actor=self.alice, plan=plan, text=first.text, item=first.item, person=first.person
        )
        plan = selectors.plan_get(user=self.alice, plan_id=plan.pk, audit_read=False)
        self.assertEqual(self.suggested(plan), [("3A", self.child, 2)])
