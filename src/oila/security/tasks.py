"""Scheduled jobs of the security app (huey finds this module in every app)."""

from __future__ import annotations

import logging
from importlib import import_module

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task

from oila.common.schedules import local_crontab

logger = logging.getLogger("oila.security")


@db_periodic_task(local_crontab(minute="30", hour="2"))
def clear_expired_sessions() -> None:
    """Every night: delete expired sessions (Django keeps them until asked), like `oila clearsessions`."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    logger.info("Expired sessions cleared.")
