"""Opaque public identifiers for cases and goals (core.public_ids): pages, URLs and forms stop showing
the sequential key, which counts sealed records created in between.

The column is added nullable, every existing row is given its own random identifier, then it becomes unique and
required; a default on AddField would give every existing row the same value.
"""

from django.db import migrations, models

import carehub.core.public_ids


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_casework")]

    operations = [
        migrations.AddField(
            model_name="case", name="public_id", field=models.CharField(editable=False, max_length=12, null=True)
        ),
        migrations.AddField(
            model_name="goal", name="public_id", field=models.CharField(editable=False, max_length=12, null=True)
        ),
        migrations.RunPython(
            carehub.core.public_ids.fill_missing("cases", "case", "goal"), migrations.RunPython.noop, elidable=True
        ),
        migrations.AlterField(
            model_name="case",
            name="public_id",
            field=models.CharField(
                default=carehub.core.public_ids.new_public_id,
                editable=False,
                help_text="Shown to people (never the key).",
                max_length=12,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="goal",
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
