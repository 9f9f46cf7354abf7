"""The migrations as they were before they were squashed, and the database schema they build, for the tests of the
squashed migrations (tests/test_migrations_squashed.py) and of the data migrations a squash leaves out.

Each app's squashed migration (`replaces = [...]`) is what a fresh database applies; a database that applied the old
migrations keeps them, and Django then counts the squash as applied too. `OldChainLoader` sees the migrations as a
checkout from before the squashes did: the old files only, with whatever came after a squash depending on the last
migration it replaced. `python -m tests.migration_chain` migrates the database DATABASE_URL names that way (as
`carehub migrate` on that checkout would), then with the code as it is, and prints both schemas and what is left to
apply as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any

from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader


class OldChainLoader(MigrationLoader):
    """The migration graph without the squashed migrations: as if their files were not there."""

    def __init__(self, connection, **kwargs):
        super().__init__(connection, replace_migrations=False, **kwargs)

    def build_graph(self):
        super().build_graph()
        for key, migration in self.replacements.items():
            self.graph.remove_replacement_node(key, migration.replaces)
            self.applied_migrations.pop(key, None)
        # Without squashes the executor has none to mark applied, as on a checkout from before them.
        self.replacements = {}


def old_chain_executor(connection) -> MigrationExecutor:
    """An executor that migrates through the old migrations, also to (or back to) one a squash replaced."""
    executor = MigrationExecutor(connection)
    executor.loader = OldChainLoader(connection)
    return executor


# What a schema is made of, read from the database's own catalogue (never from Django's models or migrations).
POSTGRES_QUERIES = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity
        FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        ORDER BY c.relname, a.attnum""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), condeferrable, condeferred
        FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
        ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled
        FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2""",
    "functions": """
        SELECT proname, pg_get_functiondef(oid) FROM pg_proc
        WHERE pronamespace = current_schema()::regnamespace ORDER BY 1""",
    "sequences": """
        SELECT sequencename, data_type::text, increment_by, min_value, max_value
        FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1""",
}


def schema(cursor, vendor: str) -> dict[str, list[list[Any]]]:
    """Every table's columns (in order, with type, nullability and default), constraints, indexes and triggers,
    as lists of rows that compare equal exactly when the two schemas are the same."""
    if vendor == "postgresql":
        found = {}
        for part, query in POSTGRES_QUERIES.items():
            cursor.execute(query)
            found[part] = [list(row) for row in cursor.fetchall()]
        return found
    if vendor != "sqlite":
        raise ValueError(f"no schema reader for {vendor}")
    # SQLite: by column name, not position. Its schema editor rebuilds a table to alter a column and puts that column
    # (and a foreign key to the table itself) last, so the old migrations left a few columns elsewhere than the
    # models' order, which a squash (and PostgreSQL, which alters in place) keeps. Nothing reads columns by position.
    cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY 2")
    objects = [list(row) for row in cursor.fetchall()]
    parts = ("tables", "columns", "indexes", "index_sql", "foreign_keys", "triggers")
    found: dict[str, list[list[Any]]] = {part: [] for part in parts}
    for kind, name, table, sql in objects:
        if kind == "table":
            # The CREATE TABLE as SQLite keeps it: columns, CHECK and UNIQUE constraints, REFERENCES; item by item.
            found["tables"].append([name, sorted(_definitions(sql))])
            cursor.execute(f'PRAGMA table_xinfo("{name}")')
            found["columns"] += sorted([name, *row[1:]] for row in cursor.fetchall())
            cursor.execute(f'PRAGMA index_list("{name}")')  # newest first: the order they were made in
            for _, index, unique, origin, partial in sorted(cursor.fetchall(), key=lambda row: row[1]):
                cursor.execute(f'PRAGMA index_xinfo("{index}")')
                keys = [[seqno, column, desc, collation, key] for seqno, _, column, desc, collation, key in cursor]
                found["indexes"].append([name, index, unique, origin, partial, keys])
            cursor.execute(f'PRAGMA foreign_key_list("{name}")')
            found["foreign_keys"] += sorted([name, *row[2:]] for row in cursor.fetchall())
        elif kind in ("index", "trigger") and sql is not None:
            found["index_sql" if kind == "index" else "triggers"].append([name, table, " ".join(sql.split())])
    return found


def _definitions(create_table: str) -> list[str]:
    """The comma-separated items between the outer brackets of a CREATE TABLE, whitespace normalised."""
    body = create_table[create_table.index("(") + 1 : create_table.rindex(")")]
    items, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:i])
            start = i + 1
    items.append(body[start:])
    return [" ".join(item.split()) for item in items]


def differences(expected: dict, actual: dict) -> list[str]:
    """What one schema has that the other has not, part by part (empty when they are the same)."""
    lines = []
    for part in sorted(set(expected) | set(actual)):
        want = [json.dumps(row, default=str) for row in expected.get(part, [])]
        got = [json.dumps(row, default=str) for row in actual.get(part, [])]
        missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
        lines += [f"{part}: only in the old chain's: {row}" for row in missing]
        lines += [f"{part}: only in the squashed: {row}" for row in extra]
        if not missing and not extra and want != got:
            lines.append(f"{part}: the same rows in another order")
    return lines


def unapplied(connection) -> list[str]:
    """The migrations `carehub migrate` would still apply (what `migrate --check` fails on)."""
    executor = MigrationExecutor(connection)
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def recorded(connection, apps: Iterable[str] | None = None) -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall() if apps is None or row[0] in apps]


def main() -> None:
    """Old chain, then `migrate` as the code is now, on the database DATABASE_URL names: prints the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    executor = old_chain_executor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        old_chain = schema(cursor, connection.vendor)
    recorded_before = recorded(connection)
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        upgraded = schema(cursor, connection.vendor)
    report = {
        "old_chain": old_chain,
        "upgraded": upgraded,
        "recorded_before": recorded_before,
        "recorded_after": recorded(connection),
        "unapplied": unapplied(connection),
    }
    json.dump(report, sys.stdout, default=str)


if __name__ == "__main__":
    main()
