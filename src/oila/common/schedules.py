"""Schedules for periodic jobs, in the programme's time zone.

huey keeps its clock in UTC (settings.HUEY["utc"]), so a plain `crontab(hour="2")` would fire at 02:00
UTC, which is 07:00 in Tashkent. `local_crontab` reads the hour and minute in settings.TIME_ZONE instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab


def local_crontab(
    minute: str = "*", hour: str = "*", day: str = "*", month: str = "*", day_of_week: str = "*"
) -> Callable[[dt.datetime], bool]:
    """Like huey's crontab, but matched against the local time of settings.TIME_ZONE."""
    matches = crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)

    def validate(timestamp: dt.datetime) -> bool:
        from huey.contrib.djhuey import HUEY

        # huey passes a naive datetime: UTC when its "utc" option is on (the default), else local.
        timestamp = timestamp.replace(tzinfo=dt.UTC) if HUEY.utc else timestamp.astimezone()
        local = timestamp.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
        return bool(matches(local))

    return validate
