"""Audit migrations 0001 to 0005 in one, for a fresh database (an existing one keeps the migrations it applied).

Written by hand, not by squashmigrations: the append-only rules are SQL that differs by database, run from Python, and
they must come out exactly as the five migrations built them (tests/test_migrations_squashed.py compares the two
schemas on SQLite and PostgreSQL, triggers included). So the operations are those of 0001 to 0005 in their order:
the hub's chain, its triggers (0002, and on SQLite 0003's REPLACE rule), the sealed chain with its own (0004), then
`event_type` added to both tables with plain ADD COLUMN (0005: on SQLite an AddField would rebuild the tables and
lose their triggers; here it keeps the columns' order and their database default as 0005 made them). The SQL is
copied, not imported, so the old files can be removed in a later release.
"""

from django.db import migrations, models

from carehub.audit.models import EventType

ACTIONS = [
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
]

# 0002: the hub's chain is append-only.
HUB_POSTGRES_UP = """
CREATE OR REPLACE FUNCTION carehub_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION carehub_audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION carehub_audit_refuse_change();
"""
HUB_POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS carehub_audit_refuse_change();
"""
HUB_SQLITE_UP = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
]
HUB_SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"]

# 0003: on SQLite, INSERT OR REPLACE deletes a clashing row without firing the DELETE trigger; refuse the clash.
HUB_SQLITE_NO_REPLACE_UP = """
CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_auditevent
WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id OR seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: REPLACE refused'); END;
"""
HUB_SQLITE_NO_REPLACE_DOWN = "DROP TRIGGER IF EXISTS audit_event_no_replace;"

# 0004: the sealed pathway's chain, append-only like the hub's.
SEALED_POSTGRES_UP = """
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
# The function stays: the hub's chain uses it too.
SEALED_POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_sealed_event_no_update ON audit_sealedauditevent;
DROP TRIGGER IF EXISTS audit_sealed_event_no_truncate ON audit_sealedauditevent;
"""
SEALED_SQLITE_UP = [
    """CREATE TRIGGER audit_sealed_event_no_update BEFORE UPDATE ON audit_sealedauditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_sealed_event_no_delete BEFORE DELETE ON audit_sealedauditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
    """CREATE TRIGGER audit_sealed_event_no_replace BEFORE INSERT ON audit_sealedauditevent
       WHEN EXISTS (SELECT 1 FROM audit_sealedauditevent WHERE id = NEW.id OR seq = NEW.seq)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: REPLACE refused'); END;""",
]
SEALED_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_sealed_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_sealed_event_no_delete;",
    "DROP TRIGGER IF EXISTS audit_sealed_event_no_replace;",
]

TABLES = ("audit_auditevent", "audit_sealedauditevent")


def _run(statements_by_vendor, required=True):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            if required:
                raise RuntimeError(f"Care Hub has no append-only rule for {schema_editor.connection.vendor}")
            return
        for statement in [statements] if isinstance(statements, str) else statements:
            schema_editor.execute(statement, params=None)

    return run


def _chain_fields():
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        (
            "seq",
            models.PositiveBigIntegerField(help_text="Position in the chain: 1, 2, 3 ... with no gaps.", unique=True),
        ),
        ("at", models.DateTimeField()),
        ("actor_id", models.BigIntegerField(blank=True, null=True)),
        ("actor_username", models.CharField(blank=True, max_length=150)),
        ("organisations", models.CharField(blank=True, help_text="Slugs of the actor's organisations.", max_length=300)),
        ("action", models.CharField(choices=ACTIONS, max_length=20)),
        ("object_type", models.CharField(blank=True, max_length=40)),
        ("object_id", models.CharField(blank=True, max_length=40)),
        ("survivor_id", models.BigIntegerField(blank=True, null=True)),
        ("sealed", models.BooleanField(default=False, help_text="About a sealed-pathway record.")),
        ("reason", models.TextField(blank=True)),
        ("changes", models.JSONField(blank=True, default=dict)),
        ("prev_hash", models.CharField(max_length=64)),
        ("hash", models.CharField(max_length=64)),
    ]


def _event_type_field() -> models.CharField:
    return models.CharField(
        max_length=40, blank=True, default="", choices=EventType.choices, help_text="Empty on events written before it."
    )


class Migration(migrations.Migration):
    replaces = [
        ("audit", "0001_initial"),
        ("audit", "0002_append_only"),
        ("audit", "0003_no_replace"),
        ("audit", "0004_sealed_chain"),
        ("audit", "0005_event_type"),
    ]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=_chain_fields(),
            options={
                "ordering": ["seq"],
                "indexes": [
                    models.Index(fields=["survivor_id", "at"], name="audit_survivor_idx"),
                    models.Index(fields=["actor_id", "at"], name="audit_actor_idx"),
                    models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
                    models.Index(fields=["at"], name="audit_at_idx"),
                ],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": HUB_POSTGRES_UP, "sqlite": HUB_SQLITE_UP}),
            _run({"postgresql": HUB_POSTGRES_DOWN, "sqlite": HUB_SQLITE_DOWN}),
        ),
        migrations.RunPython(
            _run({"sqlite": HUB_SQLITE_NO_REPLACE_UP}, required=False),
            _run({"sqlite": HUB_SQLITE_NO_REPLACE_DOWN}, required=False),
        ),
        migrations.CreateModel(
            name="SealedAuditEvent",
            fields=_chain_fields(),
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
            _run({"postgresql": SEALED_POSTGRES_UP, "sqlite": SEALED_SQLITE_UP}),
            _run({"postgresql": SEALED_POSTGRES_DOWN, "sqlite": SEALED_SQLITE_DOWN}),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {table} ADD COLUMN event_type varchar(40) NOT NULL DEFAULT ''",
                    f"ALTER TABLE {table} DROP COLUMN event_type",
                )
                for table in TABLES
            ],
            state_operations=[
                migrations.AddField(model_name="auditevent", name="event_type", field=_event_type_field()),
                migrations.AddField(model_name="sealedauditevent", name="event_type", field=_event_type_field()),
            ],
        ),
    ]
