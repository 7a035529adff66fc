"""Change over time per person and factor: first vs latest, and the trend line."""

from __future__ import annotations

import datetime as dt

from oila.assessments import selectors
from oila.assessments.templatetags.assessment_tags import sparkline
from oila.common.dates import today
from tests.assessments.factories import CSI_CODES, csi_scores, open_case, record
from tests.base import OilaTestCase


class ProgressTests(OilaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.alice, self.household)
        start = today() - dt.timedelta(days=400)
        # Three CSIs of the child, six months or more apart (the supervisor is not needed).
        record(
            self.alice,
            self.case,
            subject=self.child,
            assessed_on=start,
            scores=csi_scores(3, **{"1A": 1, "5A": 2, "6B": 4}),
        )
        record(
            self.alice,
            self.case,
            subject=self.child,
            assessed_on=start + dt.timedelta(days=190),
            scores=csi_scores(3, **{"1A": 2, "5A": 2, "6B": 3}),
        )
        record(
            self.alice,
            self.case,
            subject=self.child,
            assessed_on=start + dt.timedelta(days=380),
            scores=csi_scores(3, **{"1A": 4, "5A": 1, "6B": 3}),
        )
        record(self.alice, self.case, code="family-economy", assessed_on=start)

    def progress(self) -> list[selectors.Progress]:
        assessments = list(selectors.assessment_list(user=self.alice, case=self.case))
        return selectors.progress(assessments=assessments)

    def test_it_groups_by_person_and_instrument(self) -> None:
        groups = self.progress()
        self.assertEqual(
            [(g.instrument.code, g.subject) for g in groups],
            [("family-economy", None), ("csi", self.child)],
        )
        self.assertEqual(len(groups[1].assessments), 3)

    def test_it_gives_first_and_latest_score_and_the_change_per_factor(self) -> None:
        csi = self.progress()[1]
        factors = {f.item.code: f for f in csi.factors}
        self.assertEqual(list(factors), CSI_CODES)
        food, emotions, school, care = factors["1A"], factors["5A"], factors["6B"], factors["2B"]
        self.assertEqual((food.values, food.first, food.latest, food.change), ([1, 2, 4], 1, 4, 3))
        self.assertEqual((emotions.first, emotions.latest, emotions.change), (2, 1, -1))
        self.assertEqual((school.first, school.latest, school.change), (4, 3, -1))
        self.assertEqual((care.first, care.latest, care.change), (3, 3, 0))
        self.assertEqual(food.dates, sorted(food.dates))

    def test_the_trend_line_is_an_inline_svg_with_the_scores_spoken(self) -> None:
        svg = sparkline([1, 2, 4])
        self.assertTrue(svg.startswith('<svg class="sparkline" role="img"'))
        self.assertIn("Scores over time: 1, 2, 4", svg)
        self.assertIn('points="3.0,21.0 40.0,15.0 77.0,3.0"', svg)
        self.assertNotIn("<script", svg)
        self.assertIn("<circle", sparkline([3]))
        self.assertNotIn("polyline", sparkline([3]))
        self.assertEqual(sparkline([]), "")

    def test_latest_assessments_takes_one_per_person_and_instrument(self) -> None:
        assessments = list(selectors.assessment_list(user=self.alice, case=self.case))
        latest = selectors.latest_assessments(assessments=assessments)
        self.assertEqual(len(latest), 2)
        csi = next(a for a in latest if a.instrument.code == "csi")
        self.assertEqual(csi.assessed_on, today() - dt.timedelta(days=20))
