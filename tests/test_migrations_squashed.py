"""Each app's migrations are squashed (`replaces`): a fresh database, as pytest-django's, applies 18 migrations of
Care Hub's instead of 57. These tests hold the squashes to what the old migrations did:

- the models' state after them is the same, model by model;
- a fresh database applies the squashes and none of the migrations they replace;
- on SQLite and PostgreSQL, a database migrated by the old migrations (as a checkout from before the squashes did)
  has exactly the schema of the suite's own test database, which the squashes built: tables, columns, types,
  defaults, constraints, indexes, triggers and functions, read from the database's catalogue (tests/migration_chain.py);
- that database then migrated with the code as it is has nothing left to apply, counts the squashes as applied, and
  its audit tables still refuse every change.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.browser.harness import is_postgres, throwaway_postgres_database
from tests.migration_chain import OldChainLoader, differences, schema

PROJECT_DIR = Path(__file__).resolve().parent.parent
AUDIT_TABLES = ("audit_auditevent", "audit_sealedauditevent")


def test_the_squashes_leave_every_model_as_the_old_migrations_did():
    old = OldChainLoader(None, ignore_no_migrations=True).project_state()
    squashed = MigrationLoader(None, ignore_no_migrations=True).project_state()
    assert sorted(old.models) == sorted(squashed.models)
    changed = [key for key in old.models if old.models[key] != squashed.models[key]]
    assert changed == []


def test_a_fresh_database_applies_the_squashes_and_none_of_what_they_replace():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan = {key for leaf in loader.graph.leaf_nodes() for key in loader.graph.forwards_plan(leaf)}
    replaced = {key for squash in loader.replacements.values() for key in squash.replaces}
    assert set(loader.replacements) <= plan
    assert not replaced & plan
    assert (len(loader.replacements), len(replaced)) == (13, 52)


@contextlib.contextmanager
def _database_of_its_own(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """A new, empty database on the suite's server (PostgreSQL) or in a file (SQLite): its URL and a way to open a
    DB-API connection to it."""
    suite_url = os.environ.get("DATABASE_URL", "")
    if is_postgres(suite_url):
        import psycopg

        with throwaway_postgres_database(suite_url, suffix="_old_chain") as url:
            yield url, lambda: psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
        return
    path = tmp_path / "old-chain.sqlite3"
    yield f"sqlite:///{path}", lambda: sqlite3.connect(path, isolation_level=None)


def _migrated_by_the_old_chain_then_upgraded(url: str, var_dir: Path) -> dict:
    """tests/migration_chain.py in a process of its own, on the database `url` names (never the suite's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREHUB_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        DATABASE_URL=url,
        CAREHUB_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="carehub.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.migration_chain"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _refused(db, statement: str) -> bool:
    """Whether the database refuses `statement` as the audit trail's append-only rule does."""
    try:
        db.execute(statement)
    except Exception as error:  # sqlite3.IntegrityError, psycopg's InsufficientPrivilege
        return "append-only" in str(error)
    return False


COLUMNS = (
    "seq, at, actor_username, organisations, action, object_type, object_id, sealed, reason, changes, prev_hash, hash"
)
EVENT = "1, '2026-12-05 04:00:00+00', '', '', 'view', '', '', false, '', '{}', '', 'h'"


def _audit_changes_are_refused(db, vendor: str) -> None:
    """Each audit table takes an event, then refuses to change it in every way its triggers guard against."""
    for table in AUDIT_TABLES:  # the table names are constants: nothing here comes from outside
        db.execute(f"INSERT INTO {table} ({COLUMNS}) VALUES ({EVENT})")  # noqa: S608
        attempts = [f"UPDATE {table} SET reason = 'rewritten'", f"DELETE FROM {table}"]  # noqa: S608
        if vendor == "sqlite":  # REPLACE deletes the clashing row without a DELETE trigger (audit 0003)
            attempts.append(f"REPLACE INTO {table} (id, {COLUMNS}) SELECT id, {COLUMNS} FROM {table}")  # noqa: S608
        else:
            attempts.append(f"TRUNCATE {table}")
        assert [statement for statement in attempts if not _refused(db, statement)] == []
        rows = db.execute(f"SELECT seq, reason, hash FROM {table}").fetchall()  # noqa: S608
        assert [tuple(row) for row in rows] == [(1, "", "h")]


@pytest.mark.slow
@pytest.mark.django_db
def test_a_database_the_old_migrations_built_has_the_same_schema_and_upgrades_cleanly(tmp_path):
    with connection.cursor() as cursor:
        squashed = json.loads(json.dumps(schema(cursor, connection.vendor), default=str))
    assert squashed["triggers"] and squashed["indexes"]  # the comparison below compares something
    with _database_of_its_own(tmp_path) as (url, connect):
        report = _migrated_by_the_old_chain_then_upgraded(url, tmp_path)
        assert differences(report["old_chain"], squashed) == []
        assert differences(report["old_chain"], report["upgraded"]) == []
        assert report["unapplied"] == []
        before = {tuple(row) for row in report["recorded_before"]}
        after = {tuple(row) for row in report["recorded_after"]}
        squashes = set(MigrationLoader(None, ignore_no_migrations=True).replacements)
        assert not squashes & before
        assert after == before | squashes
        with contextlib.closing(connect()) as db:
            _audit_changes_are_refused(db, connection.vendor)
