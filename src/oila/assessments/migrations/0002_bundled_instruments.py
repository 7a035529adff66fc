"""The instruments shipped with oila (assessments/data/*.json): the CSI, the family economic
vulnerability assessment and the youth employability assessment, each as version 1.

A later version shipped as a new file needs a migration of its own that runs the same `load`: it
writes only the versions not yet in the database (a fresh install gets them all from this one).
"""

from django.db import migrations


def load(apps, schema_editor):
    from oila.assessments.definitions import bundled, write

    Instrument = apps.get_model("assessments", "Instrument")
    Item = apps.get_model("assessments", "Item")
    ScaleLevel = apps.get_model("assessments", "ScaleLevel")
    for definition in bundled():
        if Instrument.objects.filter(
            code=definition["code"], version=definition["version"]
        ).exists():
            continue
        write(definition, instrument_model=Instrument, item_model=Item, level_model=ScaleLevel)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
