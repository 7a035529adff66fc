"""`oila anonymise [--dry-run]`: anonymise households whose cases closed long ago (what the
nightly job does), or only list what would be anonymised."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from oila.privacy.services import anonymisation_candidates, anonymise


class Command(BaseCommand):
    help = (
        "Anonymise the households, people and cases whose last case closed more than the "
        "programme's anonymise_after_years ago (default 5)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be anonymised; change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            found = anonymisation_candidates()
            verb = "Would anonymise"
        else:
            with transaction.atomic():
                found = anonymise(actor="oila anonymise")
            verb = "Anonymised"
        for household in found.households:
            cases = [c.number for c in found.cases if c.household_id == household.pk]
            self.stdout.write(f"  household {household.pk}: cases {', '.join(cases)}")
        self.stdout.write(
            f"{verb} {len(found.households)} household(s), {len(found.people)} person(s), "
            f"{len(found.cases)} case(s)."
        )
