"""Scheduled audit jobs. huey's Django integration finds this module (`tasks`) in every app;
`oila run_huey` runs them (see oila.jobs)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_periodic_task

from oila.audit.services import VerifyResult, verify_chain
from oila.common.schedules import local_crontab

logger = logging.getLogger("oila.audit")


@db_periodic_task(local_crontab(minute="0", hour="2"))
def verify_audit_chain() -> VerifyResult:
    """Every night at 02:00 (programme time): recompute the whole audit chain, log what was found."""
    result = verify_chain()
    if result.ok:
        logger.info("Audit chain intact: %d events verified.", result.checked)
    else:
        # An error, so that whatever watches the logs (mail to admins, a log monitor) raises it.
        logger.error(
            "Audit chain BROKEN at event #%s: %s (%d events before it are intact). "
            "Run `oila audit verify` and tell the data protection officer.",
            result.broken_seq,
            result.reason,
            result.checked,
        )
    return result


@db_periodic_task(local_crontab(minute="*/10"))
def raise_read_alerts() -> int:
    """Every ten minutes: alert the data protection officers about users reading unusually many
    records (OILA_READ_ALERT_COUNT within OILA_READ_ALERT_MINUTES)."""
    from oila.audit.services import read_alerts_raise

    alerts = read_alerts_raise()
    for alert in alerts:
        logger.warning("%s read %d records in a short time.", alert.username, alert.records)
    return len(alerts)
