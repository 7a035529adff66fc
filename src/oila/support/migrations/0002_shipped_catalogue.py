"""The shipped service catalogue (support/catalogue.py) for every programme that has none yet.

A programme created later gets it from `support.services.service_catalogue_seed` (the demo and the
`oila service-catalogue` command call it).
"""

from django.db import migrations


def seed(apps, schema_editor):
    from oila.support.catalogue import write

    Programme = apps.get_model("accounts", "Programme")
    ServiceType = apps.get_model("support", "ServiceType")
    for programme_id in Programme.objects.values_list("pk", flat=True):
        if not ServiceType.objects.filter(programme_id=programme_id).exists():
            write(programme_id, service_type_model=ServiceType)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
