"""LinkageRecord moves to people (person-level linkage keys belong with the person): state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("repeats", "0004_public_ids")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="LinkageRecord")]),
    ]
