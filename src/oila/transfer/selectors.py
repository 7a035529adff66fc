"""Reads of the transfer app: a job is seen by the one who started it, and by nobody else."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from oila.common.ids import uuid_or_404
from oila.transfer.files import progress_read
from oila.transfer.models import Job


def job_list(*, user: Any, limit: int = 30) -> QuerySet[Job]:
    """The user's own latest imports and exports."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(created_by=user).order_by("-created_at")[:limit]


def job_get(*, user: Any, job_id: Any) -> Job:
    """One of the user's own jobs; 404 for anyone else's (never a 403 that confirms it exists)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    job = (
        Job.objects.select_related("created_by")
        .filter(pk=uuid_or_404(job_id), created_by=user)
        .first()
    )
    if job is None:
        raise Http404
    return job


def job_progress(*, job: Job) -> tuple[int, int]:
    """(done, total) of a job: from its progress file while it runs, else from its row."""
    if job.running:
        found = progress_read(job.pk)
        if found is not None:
            return found
    return job.done, job.total
