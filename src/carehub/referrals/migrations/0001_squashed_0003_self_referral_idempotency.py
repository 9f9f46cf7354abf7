"""Referrals migrations 0001_initial to 0003_self_referral_idempotency in one, for a fresh database (`replaces` below).
A database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files
until every database has migrated past them (the release that removes them points the dependencies on them here).
Made with Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that
makes their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built,
on SQLite and PostgreSQL.

Split after 0003: accounts 0003 depends on referrals 0003, and referrals 0004 and 0006 on accounts 0003.
"""

import carehub.referrals.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('referrals', '0001_initial'), ('referrals', '0002_intake_triage_routing'), ('referrals', '0003_self_referral_idempotency')]

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('accounts', '0002_apikey'),
        ('accounts', '__first__'),
        ('directory', '0001_initial'),
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Referral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(default=carehub.referrals.models.new_reference, editable=False, max_length=20, unique=True)),
                ('channel', models.CharField(choices=[('self', 'Self-referral'), ('professional', 'Professional referral'), ('api', 'Agency system')], max_length=20)),
                ('received_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('received', 'Received'), ('in_triage', 'In triage'), ('offered', 'Offered to a service'), ('accepted', 'Accepted by a service'), ('closed', 'Closed'), ('withdrawn', 'Withdrawn')], default='received', max_length=20)),
                ('sealed', models.BooleanField(default=False)),
                ('perpetrator_police', models.CharField(choices=[('no', 'No'), ('serving', 'Serving police officer'), ('former', 'Former police officer'), ('staff', 'Police staff'), ('unknown', 'Not known')], default='no', max_length=10)),
                ('perpetrator_relationship', models.CharField(blank=True, max_length=40)),
                ('borough', models.CharField(blank=True, help_text="ONS code of the survivor's borough.", max_length=9)),
                ('age_band', models.CharField(blank=True, choices=[('under_16', 'Under 16'), ('16_17', '16 to 17'), ('18_24', '18 to 24'), ('25_34', '25 to 34'), ('35_44', '35 to 44'), ('45_54', '45 to 54'), ('55_64', '55 to 64'), ('65_plus', '65 and over'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('abuse_types', models.JSONField(blank=True, default=list)),
                ('needs', models.JSONField(blank=True, default=list, help_text='Service types wanted.')),
                ('wants_by_and_for', models.CharField(blank=True, help_text='Community of a by-and-for service wanted.', max_length=30)),
                ('language', models.CharField(blank=True, max_length=10)),
                ('interpreter_needed', models.BooleanField(default=False)),
                ('has_nrpf', models.BooleanField(default=False, help_text='No Recourse to Public Funds.')),
                ('risk_level', models.CharField(choices=[('not_assessed', 'Not yet assessed'), ('standard', 'Standard'), ('medium', 'Medium'), ('high', 'High')], default='not_assessed', max_length=20)),
                ('dash_score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('marac', models.BooleanField(default=False)),
                ('is_repeat', models.BooleanField(default=False)),
                ('triaged_at', models.DateTimeField(blank=True, null=True)),
                ('routed_at', models.DateTimeField(blank=True, null=True)),
                ('contact_sealed', models.BinaryField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(default=1, help_text='Optimistic lock: two hub workers cannot both act.')),
                ('previous_referral', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='referrals.referral')),
                ('referred_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referring_organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='referrals_sent', to='accounts.organisation')),
                ('routed_service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='routed_referrals', to='directory.service')),
                ('survivor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='people.survivor')),
                ('age_at_referral', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('idempotency_key', models.CharField(blank=True, db_default='', default='', max_length=100)),
                ('marac_repeat', models.BooleanField(db_default=False, default=False)),
                ('request_fingerprint', models.CharField(blank=True, db_default='', default='', max_length=64)),
                ('worker_gender', models.CharField(blank=True, db_default='', default='', max_length=20)),
            ],
            options={
                'ordering': ['-received_at'],
                'indexes': [models.Index(fields=['sealed', 'status', 'risk_level', 'received_at'], name='referral_queue_idx'), models.Index(fields=['referring_organisation', 'received_at'], name='referral_sender_idx'), models.Index(fields=['routed_service', 'status'], name='referral_service_idx'), models.Index(fields=['received_at'], name='referral_received_idx'), models.Index(condition=models.Q(('sealed', False), ('status__in', ['received', 'in_triage'])), fields=['received_at'], name='referral_waiting_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('idempotency_key', ''), _negated=True), fields=('referring_organisation', 'idempotency_key'), name='referral_idempotency_unique'), models.UniqueConstraint(condition=models.Q(('referring_organisation__isnull', True), models.Q(('idempotency_key', ''), _negated=True)), fields=('idempotency_key',), name='referral_self_idempotency_unique')],
            },
        ),
        migrations.CreateModel(
            name='Consent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('referral', 'Consent to the referral'), ('sharing', 'Consent to share information')], max_length=20)),
                ('given', models.BooleanField()),
                ('expires_on', models.DateField(blank=True, null=True)),
                ('recorded_at', models.DateTimeField()),
                ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consents', to='referrals.referral')),
                ('supersedes', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='referrals.consent')),
            ],
            options={
                'ordering': ['recorded_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ReferralEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField()),
                ('from_status', models.CharField(blank=True, choices=[('received', 'Received'), ('in_triage', 'In triage'), ('offered', 'Offered to a service'), ('accepted', 'Accepted by a service'), ('closed', 'Closed'), ('withdrawn', 'Withdrawn')], max_length=20)),
                ('to_status', models.CharField(choices=[('received', 'Received'), ('in_triage', 'In triage'), ('offered', 'Offered to a service'), ('accepted', 'Accepted by a service'), ('closed', 'Closed'), ('withdrawn', 'Withdrawn')], max_length=20)),
                ('note', models.TextField(blank=True)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='accounts.organisation')),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='referrals.referral')),
                ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='directory.service')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='DashAssessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('answers', models.JSONField(help_text="Question number (1-24) to 'yes', 'no' or 'dont_know'.")),
                ('fears_sealed', models.BinaryField(blank=True, help_text='Q3 free text, sealed under her key.', null=True)),
                ('score', models.PositiveSmallIntegerField()),
                ('professional_judgement', models.BooleanField(default=False)),
                ('professional_judgement_reason', models.TextField(blank=True)),
                ('police_callouts_12_months', models.PositiveSmallIntegerField(default=0)),
                ('high_risk', models.BooleanField()),
                ('high_risk_reasons', models.JSONField(default=list)),
                ('marac_referral', models.BooleanField()),
                ('marac_repeat', models.BooleanField(default=False)),
                ('rules_version', models.CharField(max_length=40)),
                ('assessed_at', models.DateTimeField()),
                ('assessed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dash_assessments', to='referrals.referral')),
            ],
            options={
                'ordering': ['-assessed_at'],
                'indexes': [models.Index(fields=['referral', 'assessed_at'], name='dash_referral_idx')],
            },
        ),
        migrations.CreateModel(
            name='Offer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting for the service'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn by the hub')], default='pending', max_length=20)),
                ('rank', models.PositiveSmallIntegerField(blank=True, help_text='Where routing ranked this service.', null=True)),
                ('score', models.FloatField(blank=True, null=True)),
                ('reasons', models.JSONField(blank=True, default=list, help_text='Why routing placed the service where it did.')),
                ('hub_reason', models.TextField(blank=True, help_text="The hub worker's reason for the choice.")),
                ('offered_at', models.DateTimeField()),
                ('responded_at', models.DateTimeField(blank=True, null=True)),
                ('decline_reason', models.TextField(blank=True)),
                ('offered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('referral', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='offers', to='referrals.referral')),
                ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='offers', to='directory.service')),
            ],
            options={
                'ordering': ['-offered_at'],
                'indexes': [models.Index(fields=['service', 'status'], name='offer_service_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('referral',), name='offer_one_pending_per_referral')],
            },
        ),
    ]
