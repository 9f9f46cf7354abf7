"""Repeats migrations 0001_initial to 0005_linkagerecord_to_people in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.

Data migrations left out, as they have nothing to do here (a squash is only applied to a database on which none of
the migrations it replaces ran, so their tables are new and empty): 0002 (RunPython) filled Survivor.person from
confirmed decisions; 0004 (RunPython) gave existing decisions public ids.

LinkageRecord is made here and handed to people in state only, as 0001 and 0005 did: people 0006 takes it over with
its table (`repeats_linkagerecord`), whichever of the two a database applied.
"""

import carehub.core.public_ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('repeats', '0001_initial'), ('repeats', '0002_survivor_person_backfill'), ('repeats', '0003_match_undo'), ('repeats', '0004_public_ids'), ('repeats', '0005_linkagerecord_to_people')]

    initial = True

    dependencies = [
        ('accounts', '__first__'),
        ('people', '0001_initial'),
        ('people', '0002_survivor_person'),
        ('referrals', '0003_self_referral_idempotency'),
    ]

    operations = [
        migrations.CreateModel(
            name='LinkageRecord',
            fields=[
                ('survivor', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='linkage', serialize=False, to='people.survivor')),
                ('given', models.CharField(blank=True, default='', max_length=16)),
                ('given_near', models.TextField(blank=True, default='')),
                ('given_metaphone', models.CharField(blank=True, default='', max_length=16)),
                ('family', models.CharField(blank=True, default='', max_length=16)),
                ('family_near', models.TextField(blank=True, default='')),
                ('family_metaphone', models.CharField(blank=True, default='', max_length=16)),
                ('names_metaphone', models.CharField(blank=True, default='', max_length=16)),
                ('dob', models.CharField(blank=True, default='', max_length=16)),
                ('dob_ym', models.CharField(blank=True, default='', max_length=16)),
                ('dob_yd', models.CharField(blank=True, default='', max_length=16)),
                ('dob_md', models.CharField(blank=True, default='', max_length=16)),
                ('dob_unordered', models.CharField(blank=True, default='', max_length=16)),
                ('phone', models.CharField(blank=True, default='', max_length=16)),
                ('email', models.CharField(blank=True, default='', max_length=16)),
                ('postcode', models.CharField(blank=True, default='', max_length=16)),
                ('postcode_sector', models.CharField(blank=True, default='', max_length=16)),
                ('postcode_district', models.CharField(blank=True, default='', max_length=16)),
                ('address', models.CharField(blank=True, default='', max_length=16)),
            ],
            options={
                'indexes': [models.Index(fields=['phone'], name='linkage_phone_idx'), models.Index(fields=['email'], name='linkage_email_idx'), models.Index(fields=['dob'], name='linkage_dob_idx'), models.Index(fields=['address'], name='linkage_address_idx'), models.Index(fields=['postcode'], name='linkage_postcode_idx'), models.Index(fields=['names_metaphone'], name='linkage_names_idx'), models.Index(fields=['given'], name='linkage_given_idx'), models.Index(fields=['family'], name='linkage_family_idx')],
            },
        ),
        migrations.CreateModel(
            name='MatchDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('confirmed', 'Same person'), ('rejected', 'Not the same person')], max_length=10)),
                ('probability', models.FloatField(help_text='The match probability shown when the decision was made.')),
                ('decided_at', models.DateTimeField()),
                ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('earlier_referral', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='referrals.referral')),
                ('earlier_survivor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.survivor')),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='match_decisions', to='referrals.referral')),
                ('survivor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.survivor')),
                ('undo_reason', models.TextField(blank=True)),
                ('undone_at', models.DateTimeField(blank=True, null=True)),
                ('undone_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
            ],
            options={
                'ordering': ['decided_at', 'pk'],
                'indexes': [models.Index(fields=['earlier_survivor', 'outcome'], name='match_earlier_idx')],
                'constraints': [models.UniqueConstraint(fields=('survivor', 'earlier_survivor'), name='match_one_decision_per_pair')],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='LinkageRecord',
                ),
            ],
        ),
        # PostgreSQL: the unique constraints' names as the replaced migrations' AlterField gave them.
        migrations.RunPython(carehub.core.public_ids.unique_named_as_altered('repeats', 'MatchDecision'), migrations.RunPython.noop),
    ]
