"""`oila import TYPE FILE [--dry-run] [--as USERNAME] [--confirm-new]`: import a register from the
command line, with the same checks, report and audit as the web page, printing progress."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from oila.transfer import services
from oila.transfer.columns import IMPORT_TYPES
from oila.transfer.models import Job
from oila.transfer.problems import column_label, problem_text


class Command(BaseCommand):
    help = "Check, then import, a register of households, people, enrolments or service records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("type", choices=sorted(IMPORT_TYPES))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="The user the import is made as (their programme, team and rights; audited).",
        )
        parser.add_argument(
            "--confirm-new",
            action="store_true",
            help="The people the check lists as possible duplicates are new people.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": options["username"]})
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        try:
            with open(path, "rb") as source:
                job = services.import_start(
                    actor=user,
                    type_key=options["type"],
                    source=source,
                    original_name=path.name,
                    check=False,
                )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        job = services.import_check_run(job=job, progress=self._progress)
        self._print_report(job)
        if job.report.get("errors"):
            raise CommandError(_("Nothing was imported: correct the errors above."))
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was imported."))
            return
        listed = [d["row"] for d in job.report.get("duplicates", [])]
        if listed and not options["confirm_new"]:
            raise CommandError(
                _("Nothing was imported: confirm the possible duplicates with --confirm-new.")
            )
        services.import_commit(actor=user, job=job, confirmed_rows=listed)
        job = services.import_commit_run(job=Job.objects.get(pk=job.pk), progress=self._progress)
        self._print_report(job)
        if job.status != Job.Status.IMPORTED:
            raise CommandError(_("Nothing was imported: correct the errors above."))
        self.stdout.write(
            self.style.SUCCESS(_("Imported %(count)s records.") % {"count": job.report["written"]})
        )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"\r{done}/{total}", ending="")
        self.stdout.flush()

    def _print_report(self, job: Job) -> None:
        report = job.report
        self.stdout.write("")
        self.stdout.write(
            _(
                "%(rows)s rows: %(new)s new, %(existing)s already imported; %(errors)s errors, "
                "%(warnings)s warnings."
            )
            % report
        )
        if report.get("encoding"):
            self.stdout.write(_("Text read as %(encoding)s.") % report)
        for problem in report.get("problems", []):
            where = f"{problem['row']}:{problem['column']}" if problem["row"] else "-"
            column = column_label(job.subject, problem["field"]) if problem["field"] else ""
            line = f"  [{problem['level']}] {where} {column}: {problem_text(problem)}"
            (self.stderr if problem["level"] == "error" else self.stdout).write(line)
        if report.get("more_problems"):
            self.stdout.write(_("… and %(more)s more.") % {"more": report["more_problems"]})
        sys.stdout.flush()
