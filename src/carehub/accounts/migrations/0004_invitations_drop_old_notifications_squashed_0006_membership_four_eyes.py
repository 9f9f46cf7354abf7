"""Accounts migrations 0004_invitations_drop_old_notifications to 0006_membership_four_eyes in one, for a fresh database
(`replaces` below). A database that applied the old ones keeps them, and Django then counts this one as applied too;
keep their files until every database has migrated past them (the release that removes them points the dependencies
on them here). Made with Django's squashmigrations optimiser, then fields, indexes and constraints folded into the
CreateModel that makes their table; tests/test_migrations_squashed.py checks that what this builds is what the old
migrations built, on SQLite and PostgreSQL.

0003 stays as it was (see 0001_squashed_0002_apikey): it makes accounts.Notification, which this drops after
notifications 0002 copied its rows (on a fresh database there are none: the notifications squash leaves the copy
out).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('accounts', '0004_invitations_drop_old_notifications'), ('accounts', '0005_invitation_minted_by_worker'), ('accounts', '0006_membership_four_eyes')]

    dependencies = [
        ('accounts', '0003_break_glass_notifications'),
        ('notifications', '0002_copy_accounts_notifications'),
    ]

    operations = [
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(blank=True, max_length=64, null=True, unique=True)),
                ('created_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to=settings.AUTH_USER_MODEL)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.DeleteModel(
            name='Notification',
        ),
        migrations.AddField(
            model_name='membership',
            name='awaiting_confirmation',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='membership',
            name='requested_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='membership',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(('awaiting_confirmation', True), ('is_active', True), _negated=True), name='membership_pending_inactive'),
        ),
    ]
