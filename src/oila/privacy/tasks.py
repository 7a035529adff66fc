"""Scheduled data-protection jobs (huey finds this module in every app; `oila run_huey` runs them)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task

from oila.common.schedules import local_crontab

logger = logging.getLogger("oila.privacy")


@db_periodic_task(local_crontab(minute="30", hour="3"))
def anonymise_closed_cases() -> int:
    """Every night at 03:30 (programme time): anonymise households whose cases closed longer ago
    than the programme's `anonymise_after_years` (oila.privacy.services.anonymise)."""
    from oila.privacy.services import anonymise

    result = anonymise(actor="scheduler")
    if result.households:
        logger.info(
            "Anonymised %d household(s), %d person(s), %d case(s).",
            len(result.households),
            len(result.people),
            len(result.cases),
        )
    return len(result.households)
