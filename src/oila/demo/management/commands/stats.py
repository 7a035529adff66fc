"""`oila stats --programme khorezm [--json]`: a programme's counts (aggregates only, no personal data)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.accounts.models import Programme
from oila.geo.models import District
from oila.public.selectors import direct_beneficiaries
from oila.registry.models import Enrolment
from oila.registry.selectors import programme_stats


def reached_stats(*, programme: Programme) -> dict[str, Any]:
    """Everyone ever enrolled, by group and sex, and their families: the published figures."""
    groups, families = direct_beneficiaries(programme=programme)
    enrolled = {group: {"female": 0, "male": 0, "total": 0} for group in Enrolment.Group.values}
    for g in groups:
        enrolled[g.group] = {"female": g.girls, "male": g.total - g.girls, "total": g.total}
    return {
        "enrolled": enrolled,
        "families_with_vulnerable_children": families,
    }


class Command(BaseCommand):
    help = (
        "Counts of a programme: people reached (ever enrolled) and active by beneficiary group and "
        "sex, households, and users by role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="the programme's short name (slug)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = Programme.objects.filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(f"No programme with the short name {options['programme']!r}.")
        stats = programme_stats(programme=programme)
        reached = reached_stats(programme=programme)
        if options["json"]:
            self.stdout.write(
                json.dumps({**stats, "reached": reached}, indent=2, ensure_ascii=False)
            )
            return
        self.stdout.write(f"{programme.name} ({programme.slug})")
        self.stdout.write("")
        # "reached": everyone ever enrolled (the published direct beneficiaries, graduated and
        # transferred people included); "active": enrolled now.
        self.stdout.write(
            f"  {'reached':<18} {'female':>7} {'male':>7} {'total':>7} {'active':>7} {'disab.':>7}"
        )
        for group, row in reached["enrolled"].items():
            disabled = stats["enrolled_with_disability"].get(group, 0)
            active = stats["enrolled"].get(group, {}).get("total", 0)
            self.stdout.write(
                f"  {group:<18} {row['female']:>7} {row['male']:>7} {row['total']:>7} "
                f"{active:>7} {disabled:>7}"
            )
        self.stdout.write("")
        households = stats["households"]
        kinds = ", ".join(f"{k} {v}" for k, v in households.items() if k != "total")
        self.stdout.write(f"  households: {households['total']} ({kinds})")
        self.stdout.write(
            f"  families with vulnerable children: {reached['families_with_vulnerable_children']} "
            f"(active now: {stats['families_with_vulnerable_children']})"
        )
        names = dict(District.objects.values_list("soato", "name_uz"))
        self.stdout.write("  households by district:")
        for soato, count in stats["households_by_district"].items():
            self.stdout.write(f"    {soato} {names.get(soato, ''):<22} {count:>5}")
        self.stdout.write(
            "  users by role: " + ", ".join(f"{k} {v}" for k, v in stats["users"].items())
        )
