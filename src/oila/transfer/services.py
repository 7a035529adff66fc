"""Writes of the transfer app: starting, running and expiring import and export jobs.

Each job's work happens in a huey task (oila.transfer.tasks) that calls the `*_run` service here; the
command line calls the same services. Imports write through the registry and support services, inside
one transaction (all or nothing); every import and export leaves an audit event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from oila.accounts.models import User
from oila.audit import selectors as audit_log
from oila.audit import services as audit
from oila.audit.models import AuditEvent
from oila.common.errors import ApplicationError
from oila.registry.models import Enrolment, Household, Membership, Person
from oila.registry.visibility import can_register
from oila.support.models import ServiceDelivery
from oila.transfer import exporting
from oila.transfer.columns import IMPORT_TYPES
from oila.transfer.files import job_path, new_file, plan_path, progress_clear, progress_write
from oila.transfer.importing import Importer, Write
from oila.transfer.models import Job
from oila.transfer.plans import MAX_PENDING, PlanInvalid, PlanWriter, plan_read, plan_version
from oila.transfer.reading import xlsx_rows


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=int(settings.OILA_EXPORT_HOURS))


def _enqueue(task_name: str, job: Job) -> None:
    from oila.transfer import tasks  # the tasks call back into this module

    getattr(tasks, task_name)(str(job.pk))


# ---------------------------------------------------------------------------------------------------
# Imports


def _require_importer(actor: User, type_key: str) -> None:
    if not can_register(actor):
        raise PermissionDenied(_("Your role does not allow importing records."))
    if type_key not in IMPORT_TYPES:
        raise ApplicationError(_("Choose what the file holds."), field="type")


def import_start(
    *,
    actor: User,
    type_key: str,
    source: IO[bytes] | Iterable[bytes],
    original_name: str,
    check: bool = True,
) -> Job:
    """Keep an uploaded register and start its dry run in the background.

    The file is copied in chunks; past the size limit the copy stops and the dry run reports the
    file as too large (nothing is imported).
    """
    _require_importer(actor, type_key)
    name, path = new_file()
    limit = int(settings.OILA_IMPORT_MAX_BYTES)
    size = 0
    chunks = source.chunks() if hasattr(source, "chunks") else _chunks(source)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        # Keep one byte past the limit: the check reports the size without reading any of it.
        with open(path, "ab") as out:
            out.truncate(limit + 1)
    with transaction.atomic():
        job = Job(
            kind=Job.Kind.IMPORT,
            subject=type_key,
            created_by=actor,
            file=name,
            original_name=(original_name or "")[:200],
            expires_at=_expiry(),
        )
        job.full_clean()
        job.save(force_insert=True)
        audit.record(
            actor=actor,
            action="transfer.import_upload",
            target=job,
            after={"type": type_key, "file": job.original_name, "bytes": size},
        )
    if check:
        _enqueue("import_check_task", job)
    return job


def _chunks(source: Any, size: int = 1024 * 1024) -> Iterable[bytes]:
    if isinstance(source, bytes | bytearray):
        yield bytes(source)
        return
    if hasattr(source, "read"):
        while chunk := source.read(size):
            yield chunk
        return
    yield from source


def _estimate_rows(job: Job) -> int:
    """A quick guess of the rows, for the progress bar: a CSV's lines, an XLSX's stated size."""
    try:
        path = job_path(job)
        with open(path, "rb") as handle:
            head = handle.read(4)
            if head != b"PK\x03\x04":
                handle.seek(0)
                return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        return max(xlsx_rows(path) - 1, 0)
    except Exception:  # a guess only: the check itself reports an unreadable file
        return 0


def _reporter(job: Job, also: Callable[[int, int], None] | None) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        progress_write(job.pk, done, total)
        if also is not None:
            also(done, total)

    return progress


def import_check_run(*, job: Job, progress: Callable[[int, int], None] | None = None) -> Job:
    """The dry run: read and check every row, write nothing, keep the report on the job."""
    if job.status not in (Job.Status.QUEUED, Job.Status.CHECKED):
        return job
    job.status, job.total, job.done = Job.Status.CHECKING, _estimate_rows(job), 0
    job.save(update_fields=["status", "total", "done", "updated_at"])
    # The registry as the check sees it: no write audited after this one (transfer.plans).
    mark = audit_log.last_seq()
    plan = PlanWriter(plan_path(job)) if job.subject in PLANNED else None
    importer = Importer(
        actor=job.created_by,
        type_key=job.subject,
        progress=_reporter(job, progress),
        plan=plan,
    )
    try:
        report = importer.run(job_path(job), total=job.total)
    except FileNotFoundError:
        report = importer.report
        report.add(0, "", "", "empty")
    finally:
        if plan is not None:
            plan.close()
    job.params = {k: v for k, v in job.params.items() if k != "plan"}
    if plan is not None:
        if report.blocked or not report.rows or len(plan.pending) > MAX_PENDING:
            plan.discard()
        else:
            job.params["plan"] = {
                "signature": plan.signature(),
                "mark": mark,
                "version": plan_version(),
                "pending": plan.pending,
                "letters": importer.letters,  # for the problems a replayed write may meet
            }
    job.report = report.as_json()
    job.status = Job.Status.CHECKED
    job.total = job.done = report.rows
    job.finished_at = timezone.now()
    job.file_format = report.format
    job.save(
        update_fields=[
            "report",
            "params",
            "status",
            "total",
            "done",
            "finished_at",
            "file_format",
            "updated_at",
        ]
    )
    progress_clear(job.pk)
    return job


def import_ready(job: Job) -> bool:
    """Whether a checked import may be committed: checked, no errors, its file still there."""
    return (
        job.kind == Job.Kind.IMPORT
        and job.status == Job.Status.CHECKED
        and not job.report.get("errors")
        and job.report.get("rows", 0) > 0
        and job.expires_at > timezone.now()
    )


def import_commit(*, actor: User, job: Job, confirmed_rows: Iterable[int] = ()) -> Job:
    """Start the import of a checked file. `confirmed_rows` are the rows with possible duplicates
    that the user confirmed are new people (each such choice is audited by the registry)."""
    if job.created_by_id != actor.pk:
        raise PermissionDenied
    _require_importer(actor, job.subject)
    if not import_ready(job):
        raise ApplicationError(
            _("This file cannot be imported: check it again and fix the errors.")
        )
    listed = {d["row"] for d in job.report.get("duplicates", [])}
    confirmed = sorted(set(confirmed_rows) & listed)
    if listed - set(confirmed):
        raise ApplicationError(
            _("Confirm that every person listed as a possible duplicate is a new person."),
            field="confirm",
        )
    job.status = Job.Status.IMPORTING
    job.params = {**job.params, "confirmed_rows": confirmed}
    job.done = 0
    job.save(update_fields=["status", "params", "done", "updated_at"])
    _enqueue("import_commit_task", job)
    return job


def import_commit_run(*, job: Job, progress: Callable[[int, int], None] | None = None) -> Job:
    """The import itself: the same checks, then every row through the services, all or nothing."""
    if job.status != Job.Status.IMPORTING:
        return job
    importer = Importer(
        actor=job.created_by,
        type_key=job.subject,
        commit=True,
        confirmed=job.params.get("confirmed_rows", []),
        progress=_reporter(job, progress),
    )
    with transaction.atomic():
        planned = _plan(job)
        if planned is not None:
            importer.letters = dict(job.params["plan"].get("letters", {}))
            report = importer.replay(planned, job.report)
        else:
            report = importer.run(job_path(job), total=job.total)
        if report.blocked:
            transaction.set_rollback(True)
    with transaction.atomic():
        job.report = report.as_json()
        job.finished_at = timezone.now()
        job.done = report.rows
        job.status = Job.Status.CHECKED if report.blocked else Job.Status.IMPORTED
        job.save(update_fields=["report", "finished_at", "done", "status", "updated_at"])
        audit.record(
            actor=job.created_by,
            action="transfer.import",
            target=job,
            after={
                "type": job.subject,
                "file": job.original_name,
                "rows": report.rows,
                "new": 0 if report.blocked else report.written,
                "existing": report.existing,
                "errors": report.errors,
            },
        )
    if not report.blocked:
        job_path(job).unlink(missing_ok=True)  # the register is in the database now
        statistics_refresh(job.subject, report.written)
    plan_path(job).unlink(missing_ok=True)  # used once: a second commit checks the file again
    progress_clear(job.pk)
    return job


# The tables each import type writes (and the audit log): their planner statistics are refreshed
# after a large import (statistics_refresh).
WRITTEN_TABLES: dict[str, tuple[type[Model], ...]] = {
    "households": (Household, Person, Membership, Enrolment, AuditEvent),
    "people": (Person, Membership, Enrolment, AuditEvent),
    "enrolments": (Enrolment, AuditEvent),
    "services": (ServiceDelivery, AuditEvent),
}
# PostgreSQL's own default: autovacuum analyses a table once a tenth of its rows changed.
STATISTICS_SHARE = 0.1
STATISTICS_MIN_ROWS = 1000


def statistics_refresh(type_key: str, written: int) -> list[str]:
    """ANALYZE, on PostgreSQL, the tables an import of `written` rows grew by more than a tenth (or
    that were never analysed), right after its commit: the planner would otherwise go on planning
    the next file's checks, and the pages, for the tables as they were before (autovacuum gets to
    them within a minute when it runs at all; it may be off). Returns the tables analysed. Imports
    of fewer than a thousand rows change no plan and are left to autovacuum."""
    if connection.vendor != "postgresql" or written < STATISTICS_MIN_ROWS:
        return []
    tables = [model._meta.db_table for model in WRITTEN_TABLES.get(type_key, ())]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE oid = ANY(%s::regclass[])",
            [tables],
        )
        # reltuples is -1 for a table never analysed.
        stale = sorted(
            name
            for name, rows in cursor.fetchall()
            if rows < 0 or written > STATISTICS_SHARE * rows
        )
        if stale:
            quote = connection.ops.quote_name
            # Table names from the models, quoted.
            cursor.execute("ANALYZE " + ", ".join(quote(n) for n in stale))  # nosec B608
    return stale


# The import types whose dry run keeps a plan: those written in bulk, whose writes hold only what
# the file holds (an enrolment's or a service's would hold the person read from the registry).
PLANNED = ("households", "people")


def _plan(job: Job) -> Iterable[Write] | None:
    """The dry run's plan, when the commit may replay it instead of checking the file again
    (transfer.plans): the same code, every listed row confirmed, no write since the dry run."""
    plan = job.params.get("plan")
    if not plan or plan.get("version") != plan_version():
        return None
    if not set(plan.get("pending", [])) <= set(job.params.get("confirmed_rows", [])):
        return None
    if audit_log.written_since(int(plan["mark"])):
        return None
    try:
        return plan_read(plan_path(job), str(plan.get("signature", "")))
    except (PlanInvalid, FileNotFoundError):
        return None


# ---------------------------------------------------------------------------------------------------
# Exports


def export_start(*, actor: User, list_key: str, query: dict[str, Any], file_format: str) -> Job:
    """Start exporting a list with its filters (the list page's query string) as CSV or XLSX."""
    if not exporting.may_export(actor) or list_key not in exporting.LISTS:
        raise PermissionDenied(_("Your role does not export this list."))
    if file_format not in ("csv", "xlsx"):
        raise ApplicationError(_("Choose CSV or Excel."), field="file_format")
    form = exporting.form_for(list_key, query)
    form.is_valid()
    # Only the fields the list's form knows, as the form understood them.
    kept = {k: query[k] for k in form.fields if query.get(k) not in (None, "")}
    with transaction.atomic():
        job = Job(
            kind=Job.Kind.EXPORT,
            subject=list_key,
            created_by=actor,
            params={"query": kept, "pseudonymised": exporting.pseudonymised_for(actor)},
            file_format=file_format,
            expires_at=_expiry(),
        )
        job.full_clean()
        job.save(force_insert=True)
    _enqueue("export_task", job)
    return job


def export_run(*, job: Job) -> Job:
    """Write the export's file and audit it (one event: the list, the filters, the row count)."""
    if job.status != Job.Status.QUEUED:
        return job
    user = job.created_by
    qs = exporting.queryset_for(user, job.subject, job.params.get("query", {}))
    columns = exporting.columns_for(user, job.subject)
    job.status, job.total = Job.Status.EXPORTING, qs.count()
    job.save(update_fields=["status", "total", "updated_at"])
    name, path = new_file()
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    header = [str(c.label) for c in columns]
    writer = exporting.write_xlsx if job.file_format == "xlsx" else exporting.write_csv
    try:
        count = writer(
            path,
            header,
            exporting.export_rows(qs, columns),
            lambda done: progress_write(job.pk, done, job.total),
        )
    except OverflowError:
        path.unlink(missing_ok=True)
        job.status, job.report = Job.Status.FAILED, {"code": "xlsx_too_many_rows"}
        job.save(update_fields=["status", "report", "updated_at"])
        return job
    with transaction.atomic():
        job.file, job.done, job.status = name, count, Job.Status.READY
        job.finished_at = timezone.now()
        job.report = {"rows": count}
        job.save(update_fields=["file", "done", "status", "finished_at", "report", "updated_at"])
        audit.record(
            actor=user,
            action="transfer.export",
            target=job,
            kind=AuditEvent.Kind.READ,
            after={
                "list": job.subject,
                "rows": count,
                "filters": job.params.get("query", {}),
                "format": job.file_format,
                "pseudonymised": bool(job.params.get("pseudonymised")),
            },
        )
    progress_clear(job.pk)
    return job


def export_download_record(*, actor: User, job: Job) -> None:
    """Audit a download of an export (a read of the personal data in it)."""
    audit.record_read(actor=actor, target=job, action="transfer.download")


# ---------------------------------------------------------------------------------------------------
# Expiry


@transaction.atomic
def jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry and mark them expired; returns how many."""
    now = now or timezone.now()
    count = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(status=Job.Status.EXPIRED):
        if job.file:
            with contextlib.suppress(FileNotFoundError):
                job_path(job).unlink(missing_ok=True)
                plan_path(job).unlink(missing_ok=True)
        # The report of an import may name possible duplicates: it goes with the file.
        job.status, job.report = Job.Status.EXPIRED, {}
        job.save(update_fields=["status", "report", "updated_at"])
        count += 1
    return count


def job_fail(*, job: Job, code: str) -> Job:
    """A job that stopped on an unexpected error: say so on its page (the log has the details)."""
    job.status, job.report = Job.Status.FAILED, {**(job.report or {}), "code": code}
    job.save(update_fields=["status", "report", "updated_at"])
    progress_clear(job.pk)
    return job
