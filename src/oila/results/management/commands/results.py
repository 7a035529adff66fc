"""`oila results export --programme khorezm --format xlsx|pdf|iati --output FILE [--year 2026]`:
the donor report, the same bytes as the results page's download (aggregates only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.accounts.models import Programme
from oila.audit import services as audit
from oila.common.dates import today
from oila.results import exports


class Command(BaseCommand):
    help = "Results framework tasks: export the donor report (XLSX, PDF or IATI 2.03 XML)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        export = sub.add_parser("export", help="write the donor report to a file")
        export.add_argument("--programme", required=True, help="the programme's short name (slug)")
        export.add_argument("--format", required=True, choices=sorted(exports.FORMATS))
        export.add_argument("--output", required=True, help="the file to write")
        export.add_argument("--year", type=int, default=None, help="the report's year (this year)")
        export.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="the report's language"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        programme = Programme.objects.filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(f"No programme with the short name {options['programme']!r}.")
        year = options["year"] or today().year
        data = exports.export(
            programme=programme, fmt=options["format"], year=year, language=options["language"]
        )
        Path(options["output"]).write_bytes(data)
        audit.record(
            actor="command line",
            action=f"results.export.{options['format']}",
            target=programme,
            note=f"year={year}",
            kind="read",
        )
        self.stdout.write(f"{options['output']}: {len(data)} bytes")
