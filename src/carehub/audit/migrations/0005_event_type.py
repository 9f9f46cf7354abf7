"""Events carry their type (`event_type`, models.EventType); events already written get "" and keep their hash.

The column is added with plain ALTER TABLE ... ADD COLUMN on both databases. Django's own AddField would rebuild an
SQLite table to add a NOT NULL column with a default (copy, drop, rename), and dropping the table drops the
append-only triggers of migrations 0002 to 0004 with it; ADD COLUMN with a constant default touches no row, so no
trigger fires and none is lost. The state side is an ordinary AddField, so the models and migrations agree.
"""

from django.db import migrations, models

from carehub.audit.models import EventType

TABLES = ("audit_auditevent", "audit_sealedauditevent")


def _field() -> models.CharField:
    return models.CharField(
        max_length=40, blank=True, default="", choices=EventType.choices, help_text="Empty on events written before it."
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_sealed_chain")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {table} ADD COLUMN event_type varchar(40) NOT NULL DEFAULT ''",
                    f"ALTER TABLE {table} DROP COLUMN event_type",
                )
                for table in TABLES
            ],
            state_operations=[
                migrations.AddField(model_name="auditevent", name="event_type", field=_field()),
                migrations.AddField(model_name="sealedauditevent", name="event_type", field=_field()),
            ],
        )
    ]
