"""A random public identifier for every survivor written before they had one (see 0003)."""

from django.db import migrations

from carehub.core.public_ids import new_public_id

BATCH = 2000


def fill(apps, schema_editor):
    Survivor = apps.get_model("people", "Survivor")
    last_pk = 0
    while True:
        batch = list(Survivor.objects.filter(pk__gt=last_pk, public_id__isnull=True).order_by("pk")[:BATCH])
        if not batch:
            return
        for survivor in batch:
            survivor.public_id = new_public_id()
        Survivor.objects.bulk_update(batch, ["public_id"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("people", "0003_survivor_public_id")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
