"""The engine's figures equal those worked out by hand (tests/results/factories.plant)."""

from __future__ import annotations

from oila.results import engine, selectors
from oila.results.models import Indicator
from tests.base import OilaTestCase
from tests.results.factories import YEAR, plant


def table(result: engine.IndicatorResult, dim: str) -> dict[str | None, tuple[int, int | None]]:
    return {c.key: (c.numerator, c.denominator) for c in result.breakdowns[dim]}


class EngineTests(OilaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.planted = plant(cls)

    def compute(self, code: str, year: int = YEAR) -> engine.IndicatorResult:
        indicator = Indicator.objects.get(programme=self.programme, code=code)
        return engine.compute(indicator, engine.Period.of_year(year))

    def test_it_counts_children_enrolled_with_every_disaggregation(self) -> None:
        result = self.compute("IND1.1")
        self.assertEqual(result.total.numerator, 3)  # c1, c2, c5
        self.assertEqual(result.total.display, "3")
        self.assertEqual(table(result, "sex"), {"female": (2, None), "male": (1, None)})
        self.assertEqual(
            table(result, "age"),
            {"0-4": (1, None), "5-11": (1, None), "12-17": (1, None), "18-59": (0, None),
             "60+": (0, None)},
        )  # fmt: skip
        self.assertEqual(table(result, "disability"), {"yes": (1, None), "no": (2, None)})
        self.assertEqual(
            table(result, "district"),
            {str(self.urganch.pk): (2, None), str(self.xiva.pk): (1, None)},
        )
        self.assertEqual(
            table(result, "group"), {"vulnerable_child": (2, None), "sos_child": (1, None)}
        )
        self.assertEqual(
            table(result, "care"),
            {"parental": (1, None), "family_like": (1, None), None: (1, None)},
        )

    def test_it_counts_by_quarter(self) -> None:
        indicator = Indicator.objects.get(programme=self.programme, code="IND1.1")
        totals = [
            engine.compute_total(indicator, q).numerator
            for q in engine.Period.of_year(YEAR).quarters()
        ]
        self.assertEqual(totals, [2, 3, 3, 2])  # c5 from March, c2 May–August

    def test_it_computes_the_csi_protection_percentage(self) -> None:
        result = self.compute("IND1.2")
        self.assertEqual((result.total.numerator, result.total.denominator), (1, 2))
        self.assertEqual(result.total.display, "50.0 %")
        self.assertEqual(table(result, "sex")["female"], (1, 2))
        self.assertEqual(table(result, "district")[str(self.urganch.pk)], (1, 1))
        self.assertEqual(table(result, "district")[str(self.xiva.pk)], (0, 1))
        self.assertEqual(table(result, "group"), {"vulnerable_child": (1, 1), "sos_child": (0, 1)})

    def test_it_shows_no_data_for_an_empty_denominator(self) -> None:
        result = self.compute("IND1.2", year=2023)
        self.assertEqual((result.total.numerator, result.total.denominator), (0, 0))
        self.assertIsNone(result.value)
        self.assertEqual(result.total.display, "no data")

    def test_it_counts_children_reunified_from_residential_care(self) -> None:
        result = self.compute("IND1.3")
        self.assertEqual(result.total.numerator, 1)
        self.assertEqual(table(result, "sex"), {"female": (1, None), "male": (0, None)})
        self.assertEqual(table(result, "care"), {"parental": (1, None)})
        self.assertEqual(self.compute("IND1.3", year=2024).total.numerator, 0)


class PublicOutcomesTests(OilaTestCase):
    """The contract the public programme page codes against (oila.public)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.planted = plant(cls)

    def test_it_gives_each_outcome_with_live_totals_and_progress(self) -> None:
        outcomes = selectors.public_outcomes(programme=self.programme, year=YEAR)
        self.assertEqual([o.code for o in outcomes], ["OC1", "OC2", "OC3"])
        first = outcomes[0].indicators[0]
        self.assertEqual(
            first,
            selectors.PublicIndicator(code="IND1.1", name="Children enrolled, per beneficiary group",
                                      unit="count", actual=3.0, target=396.0, baseline=300.0,
                                      progress=3 / 396),
        )  # fmt: skip
        share = outcomes[0].indicators[1]
        self.assertEqual((share.unit, share.actual, share.target), ("percentage", 50.0, 60.0))
        self.assertAlmostEqual(share.progress, 50 / 60)
        empty = selectors.public_outcomes(programme=self.programme, year=2023)[0].indicators[1]
        self.assertEqual((empty.actual, empty.progress, empty.target), (None, None, None))
