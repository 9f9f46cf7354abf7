"""Directory migrations 0001_initial to 0003_service_caseworker_fte in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('directory', '0001_initial'), ('directory', '0002_service_marac_linked'), ('directory', '0003_service_caseworker_fte')]

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Service',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('service_type', models.CharField(choices=[('idva', 'Independent domestic violence advocacy (IDVA)'), ('isva', 'Independent sexual violence advocacy (ISVA)'), ('helpline', 'Helpline'), ('advice_line', 'Advice line'), ('counselling', 'Counselling and therapeutic support'), ('refuge', 'Refuge'), ('outreach', 'Community outreach'), ('legal_immigration', 'Legal and immigration advice'), ('children', 'Children and young people'), ('independent_advisory', 'Independent advisory service (abuse by police)')], max_length=30)),
                ('description', models.TextField(blank=True)),
                ('specialisms', models.JSONField(blank=True, default=list, help_text='Abuse types the service specialises in.')),
                ('languages', models.JSONField(blank=True, default=list, help_text='Languages spoken by staff (codes).')),
                ('covers_all_london', models.BooleanField(default=False)),
                ('boroughs', models.JSONField(blank=True, default=list, help_text='ONS codes of the boroughs covered.')),
                ('min_age', models.PositiveSmallIntegerField(default=16)),
                ('max_age', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('accepts_women', models.BooleanField(default=True)),
                ('accepts_men', models.BooleanField(default=False)),
                ('accepts_nrpf', models.BooleanField(default=True, help_text='Accepts survivors with No Recourse to Public Funds.')),
                ('capacity', models.PositiveIntegerField(default=0, help_text='Open cases the service can hold at once.')),
                ('current_wait_days', models.PositiveIntegerField(default=0)),
                ('accepting_referrals', models.BooleanField(default=True)),
                ('address', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='services', to='accounts.organisation')),
                ('marac_linked', models.BooleanField(db_default=False, default=False, help_text='Holds high-risk cases and represents them at MARAC (IDVA services always count as such).')),
                ('caseworker_fte', models.DecimalField(blank=True, decimal_places=1, help_text='Full-time equivalent caseworkers, e.g. 2.5', max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'), message='The number of caseworkers cannot be less than 0.'), django.core.validators.MaxValueValidator(Decimal('500'), message='The number of caseworkers must be 500 or fewer.')])),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(fields=['service_type', 'accepting_referrals'], name='directory_s_service_747853_idx')],
            },
        ),
        migrations.CreateModel(
            name='Contract',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('funder', models.CharField(max_length=200)),
                ('start', models.DateField()),
                ('end', models.DateField()),
                ('support_weeks', models.PositiveSmallIntegerField(help_text='Commissioned length of support per survivor, weeks.')),
                ('annual_value_pence', models.PositiveBigIntegerField(help_text='Annual value in pence.')),
                ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contracts', to='directory.service')),
            ],
            options={
                'ordering': ['-start'],
                'constraints': [models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='contract_ends_after_start')],
            },
        ),
    ]
