"""LinkageRecord moves here from repeats (repeats 0005): state only, the table keeps its name and its indexes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_survivor_public_id_unique"),
        ("repeats", "0005_linkagerecord_to_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LinkageRecord",
                    fields=[
                        (
                            "survivor",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="linkage",
                                serialize=False,
                                to="people.survivor",
                            ),
                        ),
                        ("given", models.CharField(blank=True, default="", max_length=16)),
                        ("given_near", models.TextField(blank=True, default="")),
                        ("given_metaphone", models.CharField(blank=True, default="", max_length=16)),
                        ("family", models.CharField(blank=True, default="", max_length=16)),
                        ("family_near", models.TextField(blank=True, default="")),
                        ("family_metaphone", models.CharField(blank=True, default="", max_length=16)),
                        ("names_metaphone", models.CharField(blank=True, default="", max_length=16)),
                        ("dob", models.CharField(blank=True, default="", max_length=16)),
                        ("dob_ym", models.CharField(blank=True, default="", max_length=16)),
                        ("dob_yd", models.CharField(blank=True, default="", max_length=16)),
                        ("dob_md", models.CharField(blank=True, default="", max_length=16)),
                        ("dob_unordered", models.CharField(blank=True, default="", max_length=16)),
                        ("phone", models.CharField(blank=True, default="", max_length=16)),
                        ("email", models.CharField(blank=True, default="", max_length=16)),
                        ("postcode", models.CharField(blank=True, default="", max_length=16)),
                        ("postcode_sector", models.CharField(blank=True, default="", max_length=16)),
                        ("postcode_district", models.CharField(blank=True, default="", max_length=16)),
                        ("address", models.CharField(blank=True, default="", max_length=16)),
                    ],
                    options={
                        "db_table": "repeats_linkagerecord",
                        "indexes": [
                            models.Index(fields=["phone"], name="linkage_phone_idx"),
                            models.Index(fields=["email"], name="linkage_email_idx"),
                            models.Index(fields=["dob"], name="linkage_dob_idx"),
                            models.Index(fields=["address"], name="linkage_address_idx"),
                            models.Index(fields=["postcode"], name="linkage_postcode_idx"),
                            models.Index(fields=["names_metaphone"], name="linkage_names_idx"),
                            models.Index(fields=["given"], name="linkage_given_idx"),
                            models.Index(fields=["family"], name="linkage_family_idx"),
                        ],
                    },
                ),
            ]
        ),
    ]
