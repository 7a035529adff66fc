from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase
from django.utils import timezone

from oila.common.dates import today
from oila.demo.activity import Story, run_stories
from oila.demo.clock import simulated_time


class SimulatedHistoryTests(SimpleTestCase):
    def test_stories_run_in_the_order_of_their_days_with_the_clock_on_that_day(self) -> None:
        seen: list[tuple[str, dt.date, dt.date]] = []

        def story(name: str, days: list[dt.date]) -> Story:
            for day in days:
                yield day
                seen.append((name, day, today()))

        a = story("a", [dt.date(2018, 1, 5), dt.date(2019, 3, 1)])
        b = story("b", [dt.date(2017, 6, 1), dt.date(2018, 2, 1), dt.date(2099, 1, 1)])
        real_today = today()
        with simulated_time() as clock:
            steps = run_stories([a, b], clock, real_today)
            later = timezone.now()
        self.assertEqual(steps, 4)  # the step in 2099 is after today: the story ends there
        self.assertEqual(
            [(name, day) for name, day, _ in seen],
            [("b", dt.date(2017, 6, 1)), ("a", dt.date(2018, 1, 5)), ("b", dt.date(2018, 2, 1)),
             ("a", dt.date(2019, 3, 1))],
        )  # fmt: skip
        self.assertTrue(all(day == on for _, day, on in seen))
        self.assertEqual(later.tzinfo, dt.UTC)  # as django.utils.timezone.now answers
        self.assertEqual(today(), real_today)  # the real clock is back
