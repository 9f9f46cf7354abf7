"""Offer.decline_reason becomes a coded choice; the free text written so far moves to decline_detail as "other".

Order matters: the text is copied out before the column narrows to a 30-character code, so nothing is cut off."""

from django.db import migrations, models


def free_text_to_other(apps, schema_editor):
    Offer = apps.get_model("referrals", "Offer")
    Offer.objects.exclude(decline_reason="").update(decline_detail=models.F("decline_reason"), decline_reason="other")
    _checks_now(schema_editor)


def _checks_now(schema_editor):
    """PostgreSQL refuses the ALTER TABLE that follows while foreign-key checks of updated rows are still deferred
    (rows written in the same transaction): run them now, then defer again as Django expects."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def other_to_free_text(apps, schema_editor):
    Offer = apps.get_model("referrals", "Offer")
    # Coded reasons without words keep their code as text; words go back where they came from.
    Offer.objects.exclude(decline_detail="").update(decline_reason=models.F("decline_detail"))
    _checks_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_agency_form_children_consent_kinds")]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="decline_detail",
            field=models.TextField(blank=True, help_text="The service's own words (required for 'other')."),
        ),
        migrations.RunPython(free_text_to_other, other_to_free_text),
        migrations.AlterField(
            model_name="offer",
            name="decline_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("no_capacity", "No capacity (waiting list or caseloads full)"),
                    ("outside_eligibility", "Outside the service's eligibility"),
                    ("nrpf_not_accepted", "No recourse to public funds not accepted"),
                    ("language_not_available", "Her language is not available"),
                    ("survivor_declined", "She declined the service"),
                    ("could_not_contact", "Could not contact her"),
                    ("other", "Another reason"),
                ],
                max_length=30,
            ),
        ),
    ]
