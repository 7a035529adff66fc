"""`oila stats --programme khorezm [--json]`: a programme's counts (aggregates only, no personal data)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.accounts.models import Programme
from oila.geo.models import District
from oila.registry.selectors import programme_stats


class Command(BaseCommand):
    help = (
        "Counts of a programme: enrolled people by beneficiary group and sex, households, and users "
        "by role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="the programme's short name (slug)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = Programme.objects.filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(f"No programme with the short name {options['programme']!r}.")
        stats = programme_stats(programme=programme)
        if options["json"]:
            self.stdout.write(json.dumps(stats, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{programme.name} ({programme.slug})")
        self.stdout.write("")
        self.stdout.write(
            f"  {'enrolled':<18} {'female':>7} {'male':>7} {'total':>7} {'disab.':>7}"
        )
        for group, row in stats["enrolled"].items():
            disabled = stats["enrolled_with_disability"].get(group, 0)
            self.stdout.write(
                f"  {group:<18} {row['female']:>7} {row['male']:>7} {row['total']:>7} {disabled:>7}"
            )
        self.stdout.write("")
        households = stats["households"]
        kinds = ", ".join(f"{k} {v}" for k, v in households.items() if k != "total")
        self.stdout.write(f"  households: {households['total']} ({kinds})")
        self.stdout.write(
            f"  families with vulnerable children: {stats['families_with_vulnerable_children']}"
        )
        names = dict(District.objects.values_list("soato", "name_uz"))
        self.stdout.write("  households by district:")
        for soato, count in stats["households_by_district"].items():
            self.stdout.write(f"    {soato} {names.get(soato, ''):<22} {count:>5}")
        self.stdout.write(
            "  users by role: " + ", ".join(f"{k} {v}" for k, v in stats["users"].items())
        )
