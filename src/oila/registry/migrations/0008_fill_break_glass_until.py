"""Mark the users who hold a live break-the-glass grant (ADR 0025): the visibility rule only asks
which records grants open for a user whose `break_glass_until` is still ahead."""

from django.db import migrations
from django.db.models import Max
from django.utils import timezone


def fill(apps, schema_editor):
    BreakGlassGrant = apps.get_model("registry", "BreakGlassGrant")
    User = apps.get_model("accounts", "User")
    live = (
        BreakGlassGrant.objects.filter(expires_at__gt=timezone.now())
        .values("user")
        .annotate(until=Max("expires_at"))
    )
    for row in live:
        User.objects.filter(pk=row["user"]).update(break_glass_until=row["until"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_person_search_text_unindexed"),
        ("accounts", "0004_user_break_glass_until"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
