from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.common.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the database (PostgreSQL: pg_dump's custom format; SQLite: "
        "its online backup) to --output, readable by its owner only. Key: OILA_BACKUP_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="the backup file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            metadata = backup_create(output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup of the {metadata['engine']} database written to {options['output']} "
            f"({metadata['bytes']} bytes before encryption)."
        )
