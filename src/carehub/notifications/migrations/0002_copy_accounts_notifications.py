"""Break-glass notices written before this app existed move here; accounts.Notification is no longer written."""

from django.db import migrations


def copy(apps, schema_editor):
    Old = apps.get_model("accounts", "Notification")
    New = apps.get_model("notifications", "Notification")
    New.objects.bulk_create(
        [
            New(
                recipient_id=old.recipient_id,
                kind="break_glass",
                text=old.text,
                link="",
                event_key=f"accounts:{old.pk}",
                created_at=old.created_at,
                read_at=old.read_at,
            )
            for old in Old.objects.all().iterator()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("accounts", "0003_break_glass_notifications")]
    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
