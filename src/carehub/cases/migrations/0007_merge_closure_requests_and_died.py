"""Joins the two 0006 migrations (closure requests; "She died" as a closure reason) and gives the closure request's
coded reason the new choice too."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_closure_reason_died"),
        ("cases", "0006_closure_requests_unsafe_contact"),
    ]

    operations = [
        migrations.AlterField(
            model_name="closurerequest",
            name="reason",
            field=models.CharField(
                choices=[
                    ("completed", "Support completed"),
                    ("disengaged", "Disengaged"),
                    ("moved_away", "Moved away"),
                    ("died", "She died"),
                    ("transferred", "Transferred to another service"),
                    ("survivor_choice", "Survivor's choice"),
                    ("other", "Other"),
                ],
                max_length=20,
            ),
        ),
    ]
