"""Import and export pages: templates, uploads and their reports, exports and their downloads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.common.errors import ApplicationError
from oila.registry.visibility import can_register
from oila.transfer import blanks, exporting, selectors, services
from oila.transfer.columns import IMPORT_TYPES
from oila.transfer.files import job_path
from oila.transfer.forms import CommitForm, ExportForm, ImportForm
from oila.transfer.models import Job
from oila.transfer.problems import DATE_FORMATS, column_label, problem_text

View = Callable[..., HttpResponse]
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# An upload's request may carry this much more than the file itself (the form's other fields).
REQUEST_SLACK = 64 * 1024


def may_transfer(user: Any) -> bool:
    return bool(can_register(user) or exporting.may_export(user))


def _only(predicate: Callable[[Any], bool]) -> Callable[[View], View]:
    """Pages for some roles only: anyone else gets a 404, as for a page that is not there."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _download(data: Any, filename: str, mime: str) -> HttpResponse:
    response = (
        FileResponse(data, as_attachment=True, filename=filename, content_type=mime)
        if not isinstance(data, bytes)
        else HttpResponse(data, content_type=mime)
    )
    if isinstance(data, bytes):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Never rendered as a page of this site, whatever is in it.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@_only(may_transfer)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "jobs": selectors.job_list(user=request.user),
        "may_import": can_register(request.user),
        "may_export": exporting.may_export(request.user),
        "types": IMPORT_TYPES.values(),
        "lists": exporting.LISTS.values(),
        "pseudonymised": exporting.pseudonymised_for(request.user),
    }
    return render(request, "transfer/index.html", context)


@_only(can_register)
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    type_key = request.GET.get("type", "")
    fmt = request.GET.get("format", "xlsx")
    if type_key not in IMPORT_TYPES or fmt not in MIME:
        raise Http404
    data = blanks.template_xlsx(type_key) if fmt == "xlsx" else blanks.template_csv(type_key)
    return _download(data, f"oila-{type_key}.{fmt}", MIME[fmt])


@_only(can_register)
def import_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ImportForm(initial={"type": request.GET.get("type", "")})
        return render(request, "transfer/import.html", {"form": form})
    # A request far larger than any allowed file is refused before Django reads its body.
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > int(settings.OILA_IMPORT_MAX_BYTES) + REQUEST_SLACK:
        form = ImportForm()
        form.errors.clear()
        mb = round(int(settings.OILA_IMPORT_MAX_BYTES) / (1024 * 1024), 1)
        error = _("The file is too large: at most %(mb)s MB can be imported at once.") % {"mb": mb}
        return render(request, "transfer/import.html", {"form": form, "error": error}, status=413)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "transfer/import.html", {"form": form}, status=422)
    upload = form.cleaned_data["file"]
    job = services.import_start(
        actor=request.user,  # type: ignore[arg-type]
        type_key=form.cleaned_data["type"],
        source=upload,
        original_name=upload.name or "",
    )
    return redirect(job)


def _report_context(job: Job) -> dict[str, Any]:
    report = job.report or {}
    problems = [
        {
            **p,
            "text": problem_text(p),
            "column_label": column_label(job.subject, p.get("field", "")) if p.get("field") else "",
        }
        for p in report.get("problems", [])
    ]
    return {
        "report": report,
        "problems": problems,
        "encoding": report.get("encoding", ""),
        "date_formats": DATE_FORMATS,
    }


@_only(may_transfer)
@require_GET
def job_detail(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = selectors.job_get(user=request.user, job_id=job_id)
    done, total = selectors.job_progress(job=job)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "form": CommitForm(),
        "ready": services.import_ready(job),
        "downloadable": _downloadable(job),
        **_report_context(job),
    }
    return render(request, "transfer/job.html", context)


@_only(may_transfer)
@require_GET
def job_progress(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The progress fragment the job page polls (htmx); when the job is done, the page reloads."""
    job = selectors.job_get(user=request.user, job_id=job_id)
    done, total = selectors.job_progress(job=job)
    response = render(
        request, "transfer/_progress.html", {"job": job, "done": done, "total": total}
    )
    if not job.running:
        response["HX-Refresh"] = "true"
    return response


@_only(can_register)
@require_POST
def job_commit(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = selectors.job_get(user=request.user, job_id=job_id)
    form = CommitForm(request.POST)
    form.is_valid()
    listed = [d["row"] for d in (job.report or {}).get("duplicates", [])]
    confirmed = listed if form.cleaned_data.get("confirm") else []
    try:
        services.import_commit(actor=request.user, job=job, confirmed_rows=confirmed)  # type: ignore[arg-type]
    except (ApplicationError, PermissionDenied) as exc:
        done, total = selectors.job_progress(job=job)
        context = {
            "job": job,
            "done": done,
            "total": total,
            "form": form,
            "ready": services.import_ready(job),
            "downloadable": False,
            "commit_error": str(exc),
            **_report_context(job),
        }
        return render(request, "transfer/job.html", context, status=422)
    return redirect(job)


def _downloadable(job: Job) -> bool:
    return (
        job.kind == Job.Kind.EXPORT
        and job.status == Job.Status.READY
        and job.expires_at > timezone.now()
    )


@_only(may_transfer)
@require_GET
def job_download(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = selectors.job_get(user=request.user, job_id=job_id)
    if not _downloadable(job):
        raise Http404
    try:
        handle = open(job_path(job), "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.export_download_record(actor=request.user, job=job)  # type: ignore[arg-type]
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    return _download(handle, f"oila-{job.subject}-{stamp}.{job.file_format}", MIME[job.file_format])


@_only(exporting.may_export)
def export_new(request: HttpRequest) -> HttpResponse:
    # The list and its filters come in the query string (the list page's own, on its Export link);
    # the form posts only the format, to the same address.
    list_key = request.GET.get("list", "")
    if list_key not in exporting.LISTS:
        raise Http404
    spec = exporting.LISTS[list_key]
    query = {k: v for k, v in request.GET.items() if k not in ("list", "page")}
    filters = spec.form(query)
    filters.is_valid()
    for field in filters.fields.values():  # the list page's live search has no place here
        field.widget.attrs = {
            k: v for k, v in field.widget.attrs.items() if not k.startswith("hx-")
        }
    form = ExportForm(request.POST if request.method == "POST" else None)
    context = {
        "spec": spec,
        "filters": filters,
        "form": form,
        "pseudonymised": exporting.pseudonymised_for(request.user),
        "columns": [str(c.label) for c in exporting.columns_for(request.user, list_key)],  # type: ignore[arg-type]
    }
    if request.method != "POST":
        return render(request, "transfer/export.html", context)
    if not form.is_valid():
        return render(request, "transfer/export.html", context, status=422)
    job = services.export_start(
        actor=request.user,  # type: ignore[arg-type]
        list_key=list_key,
        query=query,
        file_format=form.cleaned_data["file_format"],
    )
    messages.success(request, _("The export has started."))
    return redirect(job)
