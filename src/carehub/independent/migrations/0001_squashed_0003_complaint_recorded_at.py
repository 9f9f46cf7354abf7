"""Independent migrations 0001_initial to 0003_complaint_recorded_at in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.

Data migrations left out, as they have nothing to do here (a squash is only applied to a database on which none of
the migrations it replaces ran, so their tables are new and empty): 0002 (RunPython) gave existing complaints public
ids.
"""

import carehub.core.public_ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('independent', '0001_initial'), ('independent', '0002_public_ids'), ('independent', '0003_complaint_recorded_at')]

    initial = True

    dependencies = [
        ('accounts', '__first__'),
        ('cases', '0002_casework'),
    ]

    operations = [
        migrations.CreateModel(
            name='Decision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decision', models.CharField(choices=[('undecided', 'Not decided yet'), ('professional_standards', "Report to the force's professional standards department"), ('watchdog', 'Report to the police watchdog (IOPC)'), ('another_force', 'Report to another police force'), ('criminal', 'Make a criminal report'), ('none', 'Not to report')], max_length=30)),
                ('decided_on', models.DateField()),
                ('recorded_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reporting_decisions', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['decided_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Disclosure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient', models.CharField(max_length=200)),
                ('purpose', models.CharField(max_length=300)),
                ('what_sealed', models.BinaryField(help_text='What was shared, sealed under her key.')),
                ('consent_given', models.BooleanField()),
                ('consent_recorded_on', models.DateField()),
                ('disclosed_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='disclosures', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['disclosed_at', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('consent_given', True)), name='disclosure_needs_consent')],
            },
        ),
        migrations.CreateModel(
            name='Complaint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('made_to', models.CharField(choices=[('undecided', 'Not decided yet'), ('professional_standards', "Report to the force's professional standards department"), ('watchdog', 'Report to the police watchdog (IOPC)'), ('another_force', 'Report to another police force'), ('criminal', 'Make a criminal report'), ('none', 'Not to report')], max_length=30)),
                ('made_on', models.DateField()),
                ('outcome', models.CharField(choices=[('ongoing', 'Ongoing'), ('misconduct', 'Misconduct found'), ('dismissal', 'Officer dismissed'), ('prosecution', 'Prosecution'), ('no_action', 'No action taken')], default='ongoing', max_length=20)),
                ('outcome_on', models.DateField(blank=True, null=True)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='complaints', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('outcome_recorded_at', models.DateTimeField(blank=True, null=True)),
                ('recorded_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['made_on', 'pk'],
            },
        ),
        # PostgreSQL: the unique constraints' names as the replaced migrations' AlterField gave them.
        migrations.RunPython(carehub.core.public_ids.unique_named_as_altered('independent', 'Complaint'), migrations.RunPython.noop),
    ]
