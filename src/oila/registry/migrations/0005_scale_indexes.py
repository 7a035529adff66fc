"""Indexes for lists and searches at national scale (docs/deploy.md, "Measured").

- hh_name_idx, hh_updated_idx: the household list's order and the home page's latest changes, read
  in index order when the user's scope is a whole programme.
- hh_search_trgm_idx (PostgreSQL only): a trigram index on the household's search key, so the name
  search (`search_text LIKE '%word%'`) reads the index instead of every household. It needs the
  pg_trgm extension (trusted since PostgreSQL 13: the database's owner may create it); where it cannot
  be created the search still works, only slower, and the migration says so.
"""

import logging

from django.db import migrations, models, transaction

log = logging.getLogger(__name__)

TRIGRAM_INDEX = "hh_search_trgm_idx"


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON registry_household "
                "USING gin (search_text gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 - a missing extension must not stop the upgrade
        log.warning("No trigram index for the name search (%s); searches will scan.", exc)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_break_glass"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["name", "id"], name="hh_name_idx"),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["updated_at"], name="hh_updated_idx"),
        ),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
