from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from oila.assessments import definitions, services
from oila.assessments.selectors import instrument_list
from oila.common.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Assessment instruments. `oila instruments load FILE` adds a version from a JSON definition "
        "(see oila/assessments/definitions.py); `oila instruments list` shows what is loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "list"])
        parser.add_argument("file", nargs="?", help="the definition to load (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for instrument in instrument_list(active_only=False):
                state = _("in use") if instrument.active else _("not in use")
                self.stdout.write(
                    f"{instrument.code} v{instrument.version} ({instrument.abbreviation}): "
                    f"{instrument.items.count()} items, {state}"
                )
            return
        if not options["file"]:
            raise CommandError(_("Name the definition file to load."))
        try:
            definition = definitions.load_file(options["file"])
            instrument = services.instrument_load(actor=None, definition=definition)
        except (definitions.DefinitionError, ApplicationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Loaded %(code)s version %(version)s with %(items)s items.")
            % {
                "code": instrument.code,
                "version": instrument.version,
                "items": instrument.items.count(),
            }
        )
