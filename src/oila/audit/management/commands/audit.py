from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from oila.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `oila audit verify` checks the whole hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["verify"], help="verify: recompute every event's hash"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.ok:
            self.stdout.write(_("OK: %(n)d audit events, chain intact.") % {"n": result.checked})
            return
        raise CommandError(
            _("BROKEN at event #%(seq)s: %(reason)s (%(n)d events before it are intact).")
            % {"seq": result.broken_seq, "reason": result.reason, "n": result.checked}
        )
