"""Notifications migrations 0001_initial to 0005_feedback_due in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.

Data migrations left out, as they have nothing to do here (a squash is only applied to a database on which none of
the migrations it replaces ran, so their tables are new and empty): 0002 (RunPython) copied accounts' break-glass
notices here; 0003 (RunPython) gave existing notifications public ids.
"""

import carehub.core.public_ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('notifications', '0001_initial'), ('notifications', '0002_copy_accounts_notifications'), ('notifications', '0003_public_ids'), ('notifications', '0004_membership_pending'), ('notifications', '0005_feedback_due')]

    initial = True

    dependencies = [
        ('accounts', '0003_break_glass_notifications'),
        ('accounts', '__first__'),
    ]

    operations = [
        migrations.CreateModel(
            name='Preference',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to=settings.AUTH_USER_MODEL)),
                ('email', models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('offer_arrived', 'An offer arrived'), ('offer_declined', 'An offer was declined'), ('earlier_referral', 'A possible earlier referral awaits a decision'), ('no_contact', 'No contact for a while'), ('marac_date', 'A MARAC date approaches'), ('break_glass', 'Break-glass access used'), ('membership_pending', 'A role in the independent service awaits confirmation'), ('feedback_due', 'A case has reached 12 weeks: feedback may be offered')], max_length=30)),
                ('text', models.CharField(max_length=500)),
                ('link', models.CharField(blank=True, help_text='A path inside Care Hub, never with personal data.', max_length=200)),
                ('event_key', models.CharField(max_length=100)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, help_text='Shown to people (never the key).', max_length=12, unique=True)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['recipient', 'read_at'], name='notify_unread_idx')],
                'constraints': [models.UniqueConstraint(fields=('recipient', 'event_key'), name='notify_once_per_event')],
            },
        ),
        # PostgreSQL: the unique constraints' names as the replaced migrations' AlterField gave them.
        migrations.RunPython(carehub.core.public_ids.unique_named_as_altered('notifications', 'Notification'), migrations.RunPython.noop),
    ]
