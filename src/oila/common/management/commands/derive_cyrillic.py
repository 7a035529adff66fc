from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oila.common.script import latin_to_cyrillic


class Command(BaseCommand):
    help = (
        "Write the Uzbek Cyrillic catalogue (locale/uz_Cyrl) from the Uzbek Latin one (locale/uz), "
        "transliterating every translated message. Run by `make messages`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import polib  # a development dependency: only translators run this
        except ImportError as exc:
            raise CommandError("polib is needed: run `make venv` first.") from exc
        root = Path(settings.LOCALE_PATHS[0])
        source = polib.pofile(str(root / "uz" / "LC_MESSAGES" / "django.po"))
        target_path = root / "uz_Cyrl" / "LC_MESSAGES" / "django.po"
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = polib.POFile()
        target.metadata = {**source.metadata, "Language": "uz_Cyrl"}
        for entry in source:
            if entry.obsolete:
                continue
            target.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgid_plural=entry.msgid_plural,
                    msgctxt=entry.msgctxt,
                    msgstr=latin_to_cyrillic(entry.msgstr) if entry.msgstr else "",
                    msgstr_plural={k: latin_to_cyrillic(v) for k, v in entry.msgstr_plural.items()},
                    occurrences=entry.occurrences,
                    flags=[f for f in entry.flags if f != "fuzzy"] if entry.msgstr else entry.flags,
                )
            )
        target.save(str(target_path))
        target.save_as_mofile(str(target_path.with_suffix(".mo")))
        self.stdout.write(f"{len(target)} messages written to {target_path}")
