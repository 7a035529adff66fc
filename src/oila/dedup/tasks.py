"""Scheduled duplicate scan. huey's Django integration finds this module; `oila run_huey` runs it."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task

from oila.common.schedules import local_crontab
from oila.dedup.services import scan_registry

logger = logging.getLogger("oila.dedup")


@db_periodic_task(local_crontab(minute="0", hour="3", day_of_week="0"))
def weekly_duplicate_scan() -> None:
    """Every Sunday at 03:00 (programme time): scan the registry, queue new pairs for review."""
    run = scan_registry()
    logger.info(
        "Duplicate scan: %d people, %d new pairs to review, %d records not comparable.",
        run.people,
        run.candidates_new,
        len(run.not_comparable),
    )
