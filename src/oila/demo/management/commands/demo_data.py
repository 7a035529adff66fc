"""`oila demo-data [--seed N] [--password P]`: the synthetic Khorezm programme, then its logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oila.demo import scale
from oila.demo.build import DEFAULT_SEED, build_demo, iter_login_table
from oila.demo.management.commands.stats import reached_stats
from oila.registry.selectors import programme_stats


class Command(BaseCommand):
    help = (
        "Build the synthetic Khorezm demo programme (DOMAIN.md §1's beneficiaries) and one login "
        "per role. Running it again changes nothing, except passwords when --password is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="random seed for the names (default 2017)",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="password for every demo login (default: generate one for new logins, keep others)",
        )
        # --scale: a large synthetic programme for benchmarks (oila.demo.scale, PostgreSQL only).
        scale.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"]:
            scale.handle(options, self.stdout)
            return
        result = build_demo(seed=options["seed"], password=options["password"], stdout=self.stdout)
        stats = programme_stats(programme=result.programme)
        reached = reached_stats(programme=result.programme)
        enrolled = reached["enrolled"]
        if result.built:
            self.stdout.write(f"Built in {result.seconds:.1f} s.")
        self.stdout.write(
            "Reached (ever enrolled): {sos} children in SOS families ({sos_f} girls); "
            "{vul} children ({vul_f} girls) from {families} vulnerable families; "
            "{youth} young people ({youth_f} women); {spec} specialists. Households: {hh}.".format(
                sos=enrolled["sos_child"]["total"],
                sos_f=enrolled["sos_child"]["female"],
                vul=enrolled["vulnerable_child"]["total"],
                vul_f=enrolled["vulnerable_child"]["female"],
                families=reached["families_with_vulnerable_children"],
                youth=enrolled["youth"]["total"],
                youth_f=enrolled["youth"]["female"],
                spec=enrolled["specialist"]["total"],
                hh=stats["households"]["total"],
            )
        )
        for line in iter_login_table(result):
            self.stdout.write(line)
