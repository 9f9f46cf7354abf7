"""Opaque public identifiers for notifications (core.public_ids): the list page's forms stop showing the sequential key,
which counts notices sent inside the independent service (break-glass attempts on sealed records) in between.

The column is added nullable, every existing row is given its own random identifier, then it becomes unique and
required; a default on AddField would give every existing row the same value.
"""

from django.db import migrations, models

import carehub.core.public_ids

MODELS = ("notification",)
BATCH = 5_000


def fill(apps, schema_editor):
    # PostgreSQL queues a deferred foreign-key check for each row updated, and refuses the ALTER TABLE that follows in
    # this migration while any are pending; checked at once instead, they are done before it.
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name in MODELS:
        model = apps.get_model("notifications", name)
        rows = model.objects.filter(public_id__isnull=True).only("pk")
        while batch := list(rows[:BATCH]):
            for row in batch:
                row.public_id = carehub.core.public_ids.new_public_id()
            model.objects.bulk_update(batch, ["public_id"])
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_copy_accounts_notifications")]

    operations = [
        migrations.AddField(
            model_name="notification", name="public_id", field=models.CharField(editable=False, max_length=12, null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="notification",
            name="public_id",
            field=models.CharField(
                default=carehub.core.public_ids.new_public_id,
                editable=False,
                help_text="Shown to people (never the key).",
                max_length=12,
                unique=True,
            ),
        ),
    ]
