from django.db import migrations


def load(apps, schema_editor):
    from oila.geo.khorezm import DISTRICTS, REGION

    Region = apps.get_model("geo", "Region")
    District = apps.get_model("geo", "District")
    region, _ = Region.objects.update_or_create(soato=REGION["soato"], defaults=REGION)
    for soato, uz, uz_cyrl, ru, kind in DISTRICTS:
        District.objects.update_or_create(
            soato=soato,
            defaults={
                "region": region,
                "name_uz": uz,
                "name_uz_cyrl": uz_cyrl,
                "name_ru": ru,
                "kind": kind,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
