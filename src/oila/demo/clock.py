"""A simulated clock for replaying the demo programme's history through the real services.

The services stamp what they record with the current day (a case opens today, a closure is approved
today, a referral is answered now). To give the demo a history spread over 2017–2026, each step of
it runs with `django.utils.timezone.now` answering a day of that history; every service, model
field and audit event that asks the time asks that function, so they all agree. Used only by the
demo builder, in one thread, and always restored (a context manager).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from unittest import mock

from django.utils import timezone


class SimulatedClock:
    """A clock set to a day; each reading is a second later, so events keep their order."""

    def __init__(self) -> None:
        self._start = timezone.now()
        self._ticks = count()

    def set(self, day: dt.date) -> None:
        # 09:00 in the programme's time zone, then a second per reading; in UTC, as
        # django.utils.timezone.now answers (the audit chain hashes the time as it reads it back).
        local = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
        self._start = local.astimezone(dt.UTC)
        self._ticks = count()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=next(self._ticks))


@contextmanager
def simulated_time() -> Iterator[SimulatedClock]:
    """Within the block, the project's time is the clock's (set it with `clock.set(day)`)."""
    clock = SimulatedClock()
    with mock.patch("django.utils.timezone.now", clock.now):
        yield clock
