"""Marac migrations 0001_initial to 0002_borough_not_yet_known in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.
"""

import carehub.core.public_ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('marac', '0001_initial'), ('marac', '0002_borough_not_yet_known')]

    initial = True

    dependencies = [
        ('accounts', '__first__'),
        ('people', '0005_survivor_public_id_unique'),
        ('referrals', '0006_queue_keyset_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='MaracReferral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('borough', models.CharField(blank=True, help_text='ONS code of the borough whose MARAC hears her case; blank until known.', max_length=9)),
                ('sealed', models.BooleanField(default=False, help_text='Copied from the referral: the sealed pathway.')),
                ('referred_on', models.DateField()),
                ('criteria', models.JSONField(default=list, help_text='Which MARAC criteria were met (DASH reasons).')),
                ('repeat', models.BooleanField(default=False, help_text='Within 12 months of her last MARAC referral.')),
                ('meeting_date', models.DateField(blank=True, null=True)),
                ('outcome', models.CharField(blank=True, choices=[('actions_agreed', 'Heard: actions agreed'), ('no_further_action', 'Heard: no further multi-agency action'), ('not_heard', 'Not heard: referral withdrawn'), ('transferred', "Transferred to another borough's MARAC")], max_length=30)),
                ('outcome_recorded_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='marac_referrals', to='referrals.referral')),
                ('survivor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='marac_referrals', to='people.survivor')),
            ],
            options={
                'ordering': ['meeting_date', 'referred_on', 'public_id'],
                'indexes': [models.Index(fields=['sealed', 'borough', 'meeting_date'], name='marac_list_idx')],
                'constraints': [models.UniqueConstraint(fields=('referral',), name='marac_one_per_referral')],
            },
        ),
        migrations.CreateModel(
            name='MaracAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('text_sealed', models.BinaryField()),
                ('owner', models.CharField(help_text='The agency (or role) responsible.', max_length=200)),
                ('due_on', models.DateField()),
                ('done_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('marac', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='marac.maracreferral')),
            ],
            options={
                'ordering': ['due_on', 'created_at', 'pk'],
            },
        ),
    ]
