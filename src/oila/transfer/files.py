"""Where the transfer app keeps its files, and how a running job tells how far it got."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings

from oila.transfer.models import Job


def transfer_dir() -> Path:
    """Where uploaded and exported files are kept: readable by the service user only."""
    path = Path(settings.OILA_TRANSFER_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def job_path(job: Job) -> Path:
    # The name is ours (a random hex), never the user's; still, refuse anything but that form.
    if not job.file or not job.file.isalnum():
        raise FileNotFoundError(job.file)
    return transfer_dir() / job.file


def plan_path(job: Job) -> Path:
    """Where the dry run of an import keeps its plan (transfer.plans), next to the upload."""
    return job_path(job).with_name(f"{job.file}plan")


def new_file() -> tuple[str, Path]:
    name = uuid.uuid4().hex
    return name, transfer_dir() / name


def _progress_path(job_id: Any) -> Path:
    folder = transfer_dir() / "progress"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder / f"{uuid.UUID(str(job_id)).hex}.json"


def progress_write(job_id: Any, done: int, total: int) -> None:
    """How far a running job got. A file, not the job's row: an import writes inside one long
    transaction, whose changes (the job's own row included) nobody else sees until it ends."""
    path = _progress_path(job_id)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"done": done, "total": total}))
    os.replace(temporary, path)


def progress_read(job_id: Any) -> tuple[int, int] | None:
    try:
        data = json.loads(_progress_path(job_id).read_text())
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError):
        return None


def progress_clear(job_id: Any) -> None:
    _progress_path(job_id).unlink(missing_ok=True)
