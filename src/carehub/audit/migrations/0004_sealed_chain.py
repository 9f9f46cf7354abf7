"""The sealed pathway's own audit chain, append-only like the hub's (migrations 0002 and 0003).

Existing data: sealed events written before this migration stay in the hub's chain (`audit_auditevent`, flagged
`sealed`). Moving them would break that chain for good: removing an event is exactly what `audit verify` exists to
catch, and re-chaining what is left would make every head published before unverifiable. So the sealed chain starts
empty from here on; the old sealed events stay hidden from the hub's auditors as before, and their numbers keep the
gaps they always had in the hub's trail up to this point. A database that must not carry even those (the demo) is
seeded afresh. From this migration on no sealed event enters the hub's chain.
"""

from django.db import migrations, models

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION carehub_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_sealed_event_no_update BEFORE UPDATE OR DELETE ON audit_sealedauditevent
    FOR EACH ROW EXECUTE FUNCTION carehub_audit_refuse_change();
CREATE TRIGGER audit_sealed_event_no_truncate BEFORE TRUNCATE ON audit_sealedauditevent
    FOR EACH STATEMENT EXECUTE FUNCTION carehub_audit_refuse_change();
"""
# The function stays: the hub's chain (migration 0002) uses it too.
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_sealed_event_no_update ON audit_sealedauditevent;
DROP TRIGGER IF EXISTS audit_sealed_event_no_truncate ON audit_sealedauditevent;
"""
SQLITE_UP = [
    """CREATE TRIGGER audit_sealed_event_no_update BEFORE UPDATE ON audit_sealedauditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_sealed_event_no_delete BEFORE DELETE ON audit_sealedauditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
    # REPLACE deletes the clashing row without a DELETE trigger (see migration 0003).
    """CREATE TRIGGER audit_sealed_event_no_replace BEFORE INSERT ON audit_sealedauditevent
       WHEN EXISTS (SELECT 1 FROM audit_sealedauditevent WHERE id = NEW.id OR seq = NEW.seq)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: REPLACE refused'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_sealed_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_sealed_event_no_delete;",
    "DROP TRIGGER IF EXISTS audit_sealed_event_no_replace;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"Care Hub has no append-only rule for {schema_editor.connection.vendor}")
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_no_replace"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedAuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "seq",
                    models.PositiveBigIntegerField(
                        help_text="Position in the chain: 1, 2, 3 ... with no gaps.", unique=True
                    ),
                ),
                ("at", models.DateTimeField()),
                ("actor_id", models.BigIntegerField(blank=True, null=True)),
                ("actor_username", models.CharField(blank=True, max_length=150)),
                (
                    "organisations",
                    models.CharField(blank=True, help_text="Slugs of the actor's organisations.", max_length=300),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("create", "Created"),
                            ("update", "Changed"),
                            ("view", "Viewed"),
                            ("list", "Listed"),
                            ("search", "Searched"),
                            ("export", "Exported"),
                            ("erase", "Erased"),
                            ("sign_in", "Signed in"),
                            ("sign_in_failed", "Sign-in failed"),
                            ("sign_out", "Signed out"),
                            ("break_glass", "Break-glass access"),
                            ("key_rotation", "Keys rotated"),
                            ("seed", "Synthetic data loaded"),
                        ],
                        max_length=20,
                    ),
                ),
                ("object_type", models.CharField(blank=True, max_length=40)),
                ("object_id", models.CharField(blank=True, max_length=40)),
                ("survivor_id", models.BigIntegerField(blank=True, null=True)),
                ("sealed", models.BooleanField(default=False, help_text="About a sealed-pathway record.")),
                ("reason", models.TextField(blank=True)),
                ("changes", models.JSONField(blank=True, default=dict)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "ordering": ["seq"],
                "abstract": False,
                "indexes": [
                    models.Index(fields=["survivor_id", "at"], name="audit_sealed_survivor_idx"),
                    models.Index(fields=["actor_id", "at"], name="audit_sealed_actor_idx"),
                    models.Index(fields=["object_type", "object_id"], name="audit_sealed_object_idx"),
                    models.Index(fields=["at"], name="audit_sealed_at_idx"),
                ],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
