"""Import and export jobs in the background. huey's Django integration finds this module; under the
test suite huey runs each task at once, in the caller's process (oila.jobs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from huey.contrib.djhuey import db_periodic_task, db_task

from oila.common.schedules import local_crontab
from oila.transfer import services
from oila.transfer.models import Job

logger = logging.getLogger("oila.transfer")


def _run(job_id: str, run: Callable[..., Any], code: str) -> None:
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return
    try:
        run(job=job)
    except Exception:
        logger.exception("Transfer job %s failed.", job_id)
        services.job_fail(job=Job.objects.get(pk=job_id), code=code)


@db_task()
def import_check_task(job_id: str) -> None:
    """The dry run of an uploaded register."""
    _run(job_id, services.import_check_run, "check_failed")


@db_task()
def import_commit_task(job_id: str) -> None:
    """The import of a checked register (all or nothing)."""
    _run(job_id, services.import_commit_run, "import_failed")


@db_task()
def export_task(job_id: str) -> None:
    """An export of a list."""
    _run(job_id, services.export_run, "export_failed")


@db_periodic_task(local_crontab(minute="7"))
def expire_transfer_files() -> int:
    """Every hour: delete the files of imports and exports past their expiry."""
    count = services.jobs_expire()
    if count:
        logger.info("Expired %d import/export file(s).", count)
    return count
