"""`oila dedup scan`: the whole-registry duplicate scan, with a progress bar on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.dedup import scan
from oila.dedup.services import model_dir, scan_registry


class Command(BaseCommand):
    help = "Find possible duplicate people (splink on DuckDB) and queue them for review."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("scan", help="Scan the whole registry and queue the pairs found.")
        run.add_argument(
            "--threshold",
            type=float,
            default=scan.DEFAULT_THRESHOLD,
            help=f"Match probability from which a pair is queued (default {scan.DEFAULT_THRESHOLD}).",
        )
        run.add_argument(
            "--model",
            default="",
            help="Use this saved model (JSON) instead of training a new one; 'latest' for the newest.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0 < threshold < 1:
            raise CommandError("The threshold is a probability between 0 and 1.")
        model_path: Path | None = None
        if options["model"] == "latest":
            latest = scan.latest_model(model_dir())
            if latest is None:
                raise CommandError("No saved model yet: run a scan without --model first.")
            model_path = latest[1]
        elif options["model"]:
            model_path = Path(options["model"])
            if not model_path.is_file():
                raise CommandError(f"No model file at {model_path}.")
        run = scan_registry(
            threshold=threshold, model_path=model_path, progress=scan.Progress(scan.STEPS)
        )
        model = (
            f"model v{run.model_version} trained and saved to {run.model_file}"
            if run.model_version
            else f"saved model reused: {run.model_file}"
        )
        self.stdout.write(
            f"Compared {run.people} people: {run.pairs} pairs at or above {threshold}, "
            f"{run.candidates_new} new for review; {model}."
        )
        if run.not_comparable:
            self.stdout.write(f"{len(run.not_comparable)} records could not be compared:")
            for entry in run.not_comparable[:50]:
                self.stdout.write(f"  {entry['id']}: {entry['why']}")
        for warning in run.warnings:
            self.stdout.write(f"Warning: {warning}")
