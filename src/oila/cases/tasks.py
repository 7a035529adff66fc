"""Scheduled case jobs. huey's Django integration finds this module in every app (see oila.jobs)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task

from oila.cases.services import daily_digest
from oila.common.dates import today
from oila.common.schedules import local_crontab

logger = logging.getLogger("oila.cases")


@db_periodic_task(local_crontab(minute="0", hour="7"))
def send_daily_digest() -> dict[str, int]:
    """Every morning at 07:00 (programme time): deadline notifications and each user's digest email
    of their overdue and due-today items."""
    result = daily_digest(on=today())
    logger.info(
        "Daily digest: %d notifications, %d emails.", result["notifications"], result["emails"]
    )
    return result
