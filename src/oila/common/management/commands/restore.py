from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.common.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `oila backup` into the database. The database must be new and "
        "empty, unless --force (which replaces everything in it). Stop the web server and the job "
        "consumer first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already has tables"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            metadata = backup_restore(source=options["file"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the backup of {metadata['created_at']} ({metadata['engine']}). "
            "Run `oila migrate` if this oila is newer than the one that made it, then "
            "`oila audit verify`."
        )
