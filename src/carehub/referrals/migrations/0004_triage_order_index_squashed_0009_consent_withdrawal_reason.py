"""Referrals migrations 0004_triage_order_index to 0009_consent_withdrawal_reason in one, for a fresh database
(`replaces` below). A database that applied the old ones keeps them, and Django then counts this one as applied too;
keep their files until every database has migrated past them (the release that removes them points the dependencies
on them here). Made with Django's squashmigrations optimiser, then fields, indexes and constraints folded into the
CreateModel that makes their table; tests/test_migrations_squashed.py checks that what this builds is what the old
migrations built, on SQLite and PostgreSQL.

Data migrations left out, as they have nothing to do here (a squash is only applied to a database on which none of
the migrations it replaces ran, so their tables are new and empty): 0005 (RunPython) gave existing consents and
offers public ids; 0008 (RunPython) moved free-text decline reasons to decline_detail as "other" before the column
narrowed to a code.

The index 0004 made and 0006 removed (referral_triage_order_idx) is not made at all. Split from 0001 to 0003: see
0001_squashed_0003_self_referral_idempotency.
"""

import carehub.core.public_ids
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('referrals', '0004_triage_order_index'), ('referrals', '0005_public_ids'), ('referrals', '0006_queue_keyset_indexes'), ('referrals', '0007_agency_form_children_consent_kinds'), ('referrals', '0008_decline_reason'), ('referrals', '0009_consent_withdrawal_reason')]

    dependencies = [
        ('accounts', '0003_break_glass_notifications'),
        ('accounts', '__first__'),
        ('directory', '0001_initial'),
        ('directory', '0002_service_marac_linked'),
        ('people', '0002_survivor_person'),
        ('people', '0005_survivor_public_id_unique'),
        ('referrals', '0003_self_referral_idempotency'),
    ]

    operations = [
        migrations.AddField(
            model_name='consent',
            name='public_id',
            field=models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True),
        ),
        migrations.AddField(
            model_name='offer',
            name='public_id',
            field=models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True),
        ),
        migrations.AddIndex(
            model_name='offer',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['service', 'offered_at', 'public_id'], name='offer_pending_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(models.Case(models.When(risk_level='high', then=models.Value(0)), models.When(risk_level='not_assessed', then=models.Value(1)), models.When(risk_level='medium', then=models.Value(2)), default=models.Value(3), output_field=models.IntegerField()), models.F('received_at'), models.F('reference'), condition=models.Q(('sealed', False), ('status__in', ['received', 'in_triage'])), name='referral_triage_keyset_idx'),
        ),
        migrations.AddField(
            model_name='consent',
            name='recipient_kind',
            field=models.CharField(blank=True, choices=[('specialist', 'Specialist domestic abuse and sexual violence services'), ('by_and_for', 'Services led by and for her community'), ('idva', 'IDVA (independent domestic violence advocate) services'), ('health', 'Health services'), ('children', "Children's services"), ('housing', 'Housing services')], db_default='', default='', help_text='A kind of organisation, when she agreed to share with every one of that kind.', max_length=20),
        ),
        migrations.AddField(
            model_name='referral',
            name='agency_reference',
            field=models.CharField(blank=True, db_default='', default='', max_length=50),
        ),
        migrations.AddField(
            model_name='referral',
            name='children_ages',
            field=models.CharField(blank=True, db_default='', default='', max_length=100),
        ),
        migrations.AddField(
            model_name='referral',
            name='children_count',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='referral',
            name='childrens_services_aware',
            field=models.CharField(blank=True, choices=[('yes', "Yes, children's services know"), ('no', 'No'), ('not_known', 'Not known')], db_default='', default='', max_length=10),
        ),
        migrations.AddField(
            model_name='referral',
            name='summary_sealed',
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='offer',
            name='decline_detail',
            field=models.TextField(blank=True, help_text="The service's own words (required for 'other')."),
        ),
        migrations.AlterField(
            model_name='offer',
            name='decline_reason',
            field=models.CharField(blank=True, choices=[('no_capacity', 'No capacity (waiting list or caseloads full)'), ('outside_eligibility', "Outside the service's eligibility"), ('nrpf_not_accepted', 'No recourse to public funds not accepted'), ('language_not_available', 'Her language is not available'), ('survivor_declined', 'She declined the service'), ('could_not_contact', 'Could not contact her'), ('other', 'Another reason')], max_length=30),
        ),
        migrations.AddField(
            model_name='consent',
            name='reason_sealed',
            field=models.BinaryField(blank=True, null=True),
        ),
        # PostgreSQL: the unique constraints' names as the replaced migrations' AlterField gave them.
        migrations.RunPython(carehub.core.public_ids.unique_named_as_altered('referrals', 'Consent', 'Offer'), migrations.RunPython.noop),
    ]
