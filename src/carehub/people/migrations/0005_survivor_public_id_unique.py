"""Every survivor now has a public identifier (0004): make it required and unique, and drawn for each new one."""

from django.db import migrations, models

import carehub.core.public_ids


class Migration(migrations.Migration):
    dependencies = [("people", "0004_survivor_public_id_fill")]

    operations = [
        migrations.AlterField(
            model_name="survivor",
            name="public_id",
            field=models.CharField(
                default=carehub.core.public_ids.new_public_id, editable=False, max_length=12, unique=True
            ),
        ),
    ]
