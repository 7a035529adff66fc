"""Fill the duplicate-detection blocking keys of people registered before they existed (ADR 0008).

The keys come from oila.common.names, the same functions the registry services use on every save.
"""

from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    from oila.common.names import name_keys

    Person = apps.get_model("registry", "Person")
    batch = []
    rows = Person.objects.only("id", "given_name", "family_name", "patronymic").order_by("pk")
    for person in rows.iterator(chunk_size=BATCH):
        keys = name_keys(person.given_name or "", person.family_name or "", person.patronymic or "")
        person.fold_given = keys.given[:100]
        person.fold_family = keys.family[:100]
        person.fold_patronymic = keys.patronymic[:100]
        person.name_key = keys.name_key[:201]
        person.sound_key = keys.sound_key[:201]
        batch.append(person)
        if len(batch) >= BATCH:
            Person.objects.bulk_update(batch, KEYS)
            batch = []
    if batch:
        Person.objects.bulk_update(batch, KEYS)


KEYS = ["fold_given", "fold_family", "fold_patronymic", "name_key", "sound_key"]


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_person_blocking_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
