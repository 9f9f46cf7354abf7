"""Cases migrations 0001_initial to 0007_merge_closure_requests_and_died in one, for a fresh database (`replaces`
below). A database that applied the old ones keeps them, and Django then counts this one as applied too; keep their
files until every database has migrated past them (the release that removes them points the dependencies on them
here). Made with Django's squashmigrations optimiser, then fields, indexes and constraints folded into the
CreateModel that makes their table; tests/test_migrations_squashed.py checks that what this builds is what the old
migrations built, on SQLite and PostgreSQL.

Data migrations left out, as they have nothing to do here (a squash is only applied to a database on which none of
the migrations it replaces ran, so their tables are new and empty): 0003 (RunPython) gave existing cases and goals
public ids.
"""

import carehub.core.public_ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('cases', '0001_initial'), ('cases', '0002_casework'), ('cases', '0003_public_ids'), ('cases', '0004_queue_keyset_indexes'), ('cases', '0005_closure_confirmation_reopening'), ('cases', '0006_closure_requests_unsafe_contact'), ('cases', '0006_closure_reason_died'), ('cases', '0007_merge_closure_requests_and_died')]

    initial = True

    dependencies = [
        ('accounts', '__first__'),
        ('directory', '0001_initial'),
        ('directory', '0002_service_marac_linked'),
        ('people', '0001_initial'),
        ('people', '0005_survivor_public_id_unique'),
        ('referrals', '0001_initial'),
        ('referrals', '0003_self_referral_idempotency'),
        ('referrals', '0005_public_ids'),
    ]

    operations = [
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('waiting', 'Waiting for a caseworker'), ('open', 'Open'), ('closed', 'Closed')], default='waiting', max_length=20)),
                ('sealed', models.BooleanField(default=False, help_text='Copied from the referral: the sealed pathway.')),
                ('accepted_at', models.DateTimeField()),
                ('opened_at', models.DateTimeField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('closure_reason', models.CharField(blank=True, choices=[('completed', 'Support completed'), ('disengaged', 'Disengaged'), ('moved_away', 'Moved away'), ('died', 'She died'), ('transferred', 'Transferred to another service'), ('survivor_choice', "Survivor's choice"), ('other', 'Other')], max_length=20)),
                ('caseworker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='referrals.referral')),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='directory.service')),
                ('survivor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='people.survivor')),
                ('version', models.PositiveIntegerField(db_default=1, default=1, help_text='Optimistic lock: two people cannot allocate or close the case at once.')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('closure_note_sealed', models.BinaryField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-accepted_at'],
                'indexes': [models.Index(fields=['service', 'status'], name='case_service_idx'), models.Index(fields=['caseworker', 'status'], name='case_caseworker_idx'), models.Index(fields=['survivor', 'closed_at'], name='case_survivor_idx'), models.Index(condition=models.Q(('status', 'waiting')), fields=['service', 'accepted_at', 'public_id'], name='case_waiting_idx'), models.Index(condition=models.Q(('status', 'open')), fields=['caseworker', 'opened_at', 'public_id'], name='case_open_idx')],
            },
        ),
        migrations.CreateModel(
            name='Allocation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(blank=True, choices=[('workload', 'Balancing caseloads'), ('absence', 'Caseworker absent or on leave'), ('left', 'Caseworker left the service'), ('skills', 'Skills, language or specialism'), ('survivor_request', 'She asked for a different worker'), ('other', 'Another reason')], max_length=20)),
                ('at', models.DateTimeField()),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='allocations', to='cases.case')),
                ('from_caseworker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('to_caseworker', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('identity', 'Identity document'), ('court', 'Court order or legal paper'), ('police', 'Police record or crime reference'), ('housing', 'Housing'), ('medical', 'Medical'), ('immigration', 'Immigration'), ('financial', 'Benefits or money'), ('other', 'Something else')], max_length=20)),
                ('dated', models.DateField(blank=True, null=True)),
                ('details_sealed', models.BinaryField()),
                ('recorded_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-recorded_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='OnwardReferral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note_sealed', models.BinaryField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('from_case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='onward_referrals', to='cases.case')),
                ('referral', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='onward_from', to='referrals.referral')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('call', 'Phone call'), ('text', 'Text message'), ('email', 'Email'), ('voicemail', 'Voicemail message left'), ('face_to_face', 'Face to face'), ('session', 'Support session'), ('advocacy', 'Advocacy action')], max_length=20)),
                ('on', models.DateField()),
                ('minutes', models.PositiveSmallIntegerField()),
                ('note_sealed', models.BinaryField(blank=True, null=True)),
                ('recorded_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unsafe_method', models.BooleanField(db_default=False, default=False)),
                ('unsafe_reason_sealed', models.BinaryField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-on', '-pk'],
                'indexes': [models.Index(fields=['case', 'on'], name='contact_case_idx')],
            },
        ),
        migrations.CreateModel(
            name='OutcomeMeasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stage', models.CharField(choices=[('start', 'At the start'), ('closure', 'At closure')], max_length=10)),
                ('not_answered', models.CharField(blank=True, choices=[('declined', 'She declined to answer'), ('unreachable', 'She could not be reached')], max_length=20)),
                ('abuse', models.JSONField(blank=True, default=dict, help_text='Abuse type to stopped/reduced/unchanged/worse.')),
                ('feels_safe', models.PositiveSmallIntegerField(blank=True, help_text='How safe she feels, 1 to 10.', null=True)),
                ('wellbeing', models.PositiveSmallIntegerField(blank=True, help_text='Her wellbeing, 1 to 10.', null=True)),
                ('quality_of_life', models.PositiveSmallIntegerField(blank=True, help_text='Her quality of life, 1 to 10.', null=True)),
                ('confidence_help', models.PositiveSmallIntegerField(blank=True, help_text='How confident she is that she knows where to get help, 1 to 10.', null=True)),
                ('recorded_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outcomes', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('case', 'stage'), name='outcome_one_per_stage')],
            },
        ),
        migrations.CreateModel(
            name='SafetyPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('revision', models.PositiveIntegerField()),
                ('plan_sealed', models.BinaryField()),
                ('recorded_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='safety_plans', to='cases.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-revision'],
                'constraints': [models.UniqueConstraint(fields=('case', 'revision'), name='safety_plan_revision_unique')],
            },
        ),
        migrations.CreateModel(
            name='Goal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text_sealed', models.BinaryField()),
                ('status', models.CharField(choices=[('not_started', 'Not started'), ('in_progress', 'In progress'), ('achieved', 'Achieved'), ('no_longer_needed', 'No longer needed')], default='not_started', max_length=20)),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField()),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='cases.case')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CaseReopening',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('reason_sealed', models.BinaryField()),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reopenings', to='cases.case')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ClosureRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
                ('status', models.CharField(choices=[('pending', 'Waiting for a manager'), ('confirmed', 'Confirmed'), ('refused', 'Refused')], default='pending', max_length=10)),
                ('reason', models.CharField(choices=[('completed', 'Support completed'), ('disengaged', 'Disengaged'), ('moved_away', 'Moved away'), ('died', 'She died'), ('transferred', 'Transferred to another service'), ('survivor_choice', "Survivor's choice"), ('other', 'Other')], max_length=20)),
                ('measures', models.JSONField(help_text='Her closing measures as the close form took them (cases.services.Measures).')),
                ('concerns', models.JSONField(default=list, help_text='Why a manager must confirm, as the caseworker was told.')),
                ('note_sealed', models.BinaryField(help_text="The caseworker's reason for closing now, sealed under her key.")),
                ('requested_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note_sealed', models.BinaryField(blank=True, null=True)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='closure_requests', to='cases.case')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['requested_at', 'pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('case',), name='closure_request_one_pending')],
            },
        ),
        # PostgreSQL: the unique constraints' names as the replaced migrations' AlterField gave them.
        migrations.RunPython(carehub.core.public_ids.unique_named_as_altered('cases', 'Case', 'Goal'), migrations.RunPython.noop),
    ]
