from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oila.common.rotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and uploaded file under the newest key of OILA_FIELD_KEYS "
        "(put the new key first, run this, then drop the old key). Safe to interrupt and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate_all(
            batch_size=options["batch_size"], progress=lambda line: self.stdout.write(line)
        )
        self.stdout.write(
            f"Done: {report.rotated} values re-encrypted, {report.current} already under the newest "
            f"key, in {len(report.columns)} columns; files: {report.files_rotated} re-encrypted, "
            f"{report.files_current} already current."
        )
