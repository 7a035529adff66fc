"""`oila service-catalogue PROGRAMME`: give a programme the shipped service catalogue (the service
types it does not have yet; programmes that existed at installation got it from the migration)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oila.accounts.models import Programme
from oila.support import services


class Command(BaseCommand):
    help = "Add the shipped service types to a programme (by its short name) that lacks them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("programme", help="the programme's short name (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = Programme.objects.filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(f"No programme {options['programme']!r}.")
        added = services.service_catalogue_seed(programme=programme)
        self.stdout.write(f"{programme.slug}: {added} service types added.")
