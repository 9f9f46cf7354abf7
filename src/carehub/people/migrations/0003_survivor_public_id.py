"""Survivors get a random public identifier (core.public_ids): pages, URLs and the audit trail stop showing keys.

In three steps, as a unique column must be added to a table that already has rows: the column, nullable (this
migration); a fresh identifier for every existing survivor (0004); then unique and required (0005).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0002_survivor_person")]

    operations = [
        migrations.AddField(
            model_name="survivor",
            name="public_id",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
    ]
