"""Close SQLite's REPLACE loophole in the append-only rule.

`INSERT OR REPLACE` (and `REPLACE INTO`) resolves a clash on the primary key or `seq` by deleting the old row, and
SQLite fires no DELETE trigger for that unless recursive triggers are on: one statement could swap an event for a
forged one. Refusing any insert that clashes with an existing event closes it. PostgreSQL has no REPLACE, and its
`INSERT ... ON CONFLICT DO UPDATE` already meets the UPDATE trigger of migration 0002.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_auditevent
WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id OR seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: REPLACE refused'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_event_no_replace;"


def _run(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(_run(SQLITE_UP), _run(SQLITE_DOWN))]
