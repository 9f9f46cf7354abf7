"""Coproduction migrations 0001_initial to 0002_feedback_held in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.

The models are made in an order that lets each foreign key be made with its table.
"""

import carehub.coproduction.models
import carehub.core.public_ids
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('coproduction', '0001_initial'), ('coproduction', '0002_feedback_held')]

    initial = True

    dependencies = [
        ('accounts', '0003_break_glass_notifications'),
        ('accounts', '__first__'),
        ('cases', '0005_closure_confirmation_reopening'),
        ('directory', '0002_service_marac_linked'),
    ]

    operations = [
        migrations.CreateModel(
            name='Commitment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField()),
                ('owner', models.CharField(help_text='The team or role answerable for it (never a survivor).', max_length=200)),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('in_progress', 'In progress'), ('delivered', 'Delivered'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=20)),
                ('service_types', models.JSONField(blank=True, default=list, help_text='Service types it touches (codes).')),
                ('populations', models.JSONField(blank=True, default=list, help_text='Communities it touches (codes).')),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['title', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Assessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('assessed_on', models.DateField()),
                ('impact', models.TextField(help_text='The impact on each protected and minoritised group, insecure immigration status included.')),
                ('mitigation', models.TextField(help_text='What is done to remove or reduce a disadvantage.')),
                ('monitoring', models.TextField(help_text='How the impact is monitored.')),
                ('signed_off_name', models.CharField(blank=True, help_text='The assessor, as she signed.', max_length=200)),
                ('signed_off_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('signed_off_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('commitment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assessments', to='coproduction.commitment')),
            ],
            options={
                'ordering': ['-assessed_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='AssessmentRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(help_text="The published run's name (equality selectors' PUBLISHED).", max_length=60)),
                ('title', models.CharField(max_length=300)),
                ('specification', models.CharField(blank=True, max_length=200)),
                ('published_on', models.CharField(blank=True, help_text='When the run was published, as it says.', max_length=40)),
                ('findings', models.JSONField(blank=True, default=list, help_text="The run's headline findings, in words.")),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='coproduction.assessment')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='Consultation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('question', models.TextField()),
                ('documents', models.TextField(blank=True, help_text='Documents, as text or links, one a line.')),
                ('closes_on', models.DateField()),
                ('opened_at', models.DateTimeField()),
                ('assessment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='coproduction.assessment')),
                ('commitment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consultations', to='coproduction.commitment')),
                ('opened_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-opened_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('was_by_and_for', models.BooleanField(default=False, help_text='A by-and-for organisation when invited.')),
                ('communities', models.JSONField(blank=True, default=list, help_text='Its communities when invited.')),
                ('consultation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='coproduction.consultation')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation')),
            ],
            options={
                'ordering': ['organisation__name'],
                'constraints': [models.UniqueConstraint(fields=('consultation', 'organisation'), name='invitation_once')],
            },
        ),
        migrations.CreateModel(
            name='Response',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('stance', models.CharField(choices=[('support', 'Support'), ('support_with_changes', 'Support with changes'), ('oppose', 'Oppose')], max_length=30)),
                ('in_confidence', models.BooleanField(default=False)),
                ('submitted_at', models.DateTimeField()),
                ('invitation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='response', to='coproduction.invitation')),
                ('submitted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['invitation__organisation__name'],
            },
        ),
        migrations.CreateModel(
            name='Point',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('text', models.TextField()),
                ('evidence', models.TextField(blank=True)),
                ('communities', models.JSONField(blank=True, default=list, help_text='Communities it speaks for (codes).')),
                ('decision', models.CharField(blank=True, choices=[('adopted', 'Adopted'), ('adopted_in_part', 'Adopted in part'), ('not_adopted', 'Not adopted')], max_length=20)),
                ('reasons', models.TextField(blank=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='points', to='coproduction.response')),
            ],
            options={
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='CommitmentAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('title', models.CharField(max_length=200)),
                ('owner', models.CharField(max_length=200)),
                ('due_on', models.DateField()),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done'), ('delayed', 'Delayed')], default='planned', max_length=20)),
                ('progress', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)])),
                ('commitment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='coproduction.commitment')),
                ('points', models.ManyToManyField(blank=True, related_name='actions', to='coproduction.point')),
            ],
            options={
                'ordering': ['due_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ActionUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done'), ('delayed', 'Delayed')], max_length=20)),
                ('progress', models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(100)])),
                ('note', models.CharField(blank=True, max_length=500)),
                ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='coproduction.commitmentaction')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='FeedbackAnswer',
            fields=[
                ('key', models.CharField(default=carehub.coproduction.models._random_key, editable=False, max_length=32, primary_key=True, serialize=False)),
                ('quarter', models.CharField(max_length=7)),
                ('felt_believed', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('felt_safe', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('culture_fit', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('knew_rights', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('would_recommend', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('open_text', models.TextField(blank=True)),
                ('ethnic_group', models.CharField(blank=True, max_length=30)),
                ('disabled', models.CharField(blank=True, max_length=10)),
                ('sexual_orientation', models.CharField(blank=True, max_length=30)),
                ('age_band', models.CharField(blank=True, max_length=20)),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.service')),
            ],
        ),
        migrations.CreateModel(
            name='FeedbackToken',
            fields=[
                ('token_hash', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('quarter', models.CharField(help_text='e.g. 2026-Q4', max_length=7)),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.service')),
            ],
        ),
        migrations.CreateModel(
            name='FeedbackOffer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('moment', models.CharField(choices=[('closure', 'When her case closed'), ('twelve_weeks', 'At 12 weeks of support')], max_length=20)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('case', 'moment'), name='feedback_offer_once')],
            },
        ),
        migrations.CreateModel(
            name='FeedbackHeld',
            fields=[
                ('key', models.CharField(default=carehub.coproduction.models._random_key, editable=False, max_length=32, primary_key=True, serialize=False)),
                ('quarter', models.CharField(max_length=7)),
                ('felt_believed', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('felt_safe', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('culture_fit', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('knew_rights', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('would_recommend', models.CharField(choices=[('yes', 'Yes'), ('partly', 'Partly'), ('no', 'No')], max_length=10)),
                ('open_text', models.TextField(blank=True)),
                ('ethnic_group', models.CharField(blank=True, max_length=30)),
                ('disabled', models.CharField(blank=True, max_length=10)),
                ('sexual_orientation', models.CharField(blank=True, max_length=30)),
                ('age_band', models.CharField(blank=True, max_length=20)),
                ('held_in', models.CharField(help_text='The quarter she answered in: when her answer must move on.', max_length=7)),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.service')),
            ],
            options={
                'abstract': False,
            },
        ),
    ]
