"""After erasure, a destroyed data key's bytes are in no page of the database: SQLite's file (with its WAL) thanks
to secure_delete, PostgreSQL's key table after the VACUUM FULL a retention run ends with.

The writes must commit (bytes in an uncommitted transaction may never reach a file, and the test would pass for the
wrong reason), so they run on a scratch copy of the schema (tests/retention/scratch.py). Each test first finds the
key's bytes where it then expects them gone, and finds a live key's bytes after.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import connection

from carehub.people.models import DataKey, Identity
from carehub.people.services import data_keys_vacuum, survivor_create, survivor_erase
from carehub.retention import services as retention
from tests.retention.scratch import run_on, scratch_database

pytestmark = pytest.mark.django_db


def _survivors(n: int = 40) -> list:
    return [
        survivor_create(actor=None, identity=Identity(given_name="Keybytes", family_name=f"Person{i}"))
        for i in range(n)
    ]


def _keys(survivors: list) -> tuple[bytes, bytes]:
    """The wrapped key of the last survivor written (nearest the page's free space) and of the first."""
    last = bytes(DataKey.objects.get(pk=survivors[-1].data_key_id).wrapped)
    first = bytes(DataKey.objects.get(pk=survivors[0].data_key_id).wrapped)
    return last, first


def _sqlite_bytes() -> bytes:
    from django.db import connection as scratch

    with scratch.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(scratch.settings_dict["NAME"])
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own file")
def test_sqlite_runs_with_secure_delete():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own file")
def test_sqlite_file_keeps_no_destroyed_key(tmp_path):
    def work():
        survivors = _survivors()
        wrapped, live = _keys(survivors)
        before = _sqlite_bytes()
        survivor_erase(actor=None, survivor=survivors[-1], reason="test of secure deletion")
        return wrapped, live, before, _sqlite_bytes()

    with scratch_database(tmp_path) as scratch:
        wrapped, live, before, after = run_on(scratch, work)
    assert wrapped in before
    assert wrapped not in after
    assert live in after  # the search itself still finds a key that was not destroyed


def _pg_pages_containing(needle: bytes) -> int:
    from django.db import connection as scratch

    with scratch.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT count(*) FROM generate_series(0, pg_relation_size('people_datakey') / 8192 - 1) AS block "
            "WHERE position(%s::bytea IN get_raw_page('people_datakey', block::int)) > 0",
            [needle],
        )
        return cursor.fetchone()[0]


def _until_no_other_snapshot(attempts: int = 240) -> None:
    """Wait (for a condition, not a time) until no other session on the server holds a snapshot or a transaction:
    one would keep the erased row version alive through the vacuum, as MVCC must, whatever database it is in
    (data_keys_vacuum reports such sessions; the next run's vacuum removes what they kept)."""
    from django.db import connection as scratch

    for _ in range(attempts):
        with scratch.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.5)
    raise AssertionError("another session kept a transaction open on the server for two minutes")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pages")
def test_postgresql_key_table_keeps_no_destroyed_key_after_the_vacuum(tmp_path):
    def work():
        survivors = _survivors()
        wrapped, live = _keys(survivors)
        before = _pg_pages_containing(wrapped)
        survivor_erase(actor=None, survivor=survivors[-1], reason="test of secure deletion")
        _until_no_other_snapshot()
        assert data_keys_vacuum() == 0
        return before, _pg_pages_containing(wrapped), _pg_pages_containing(live)

    with scratch_database(tmp_path) as scratch:
        before, vacuumed, live = run_on(scratch, work)
    assert before == 1
    assert vacuumed == 0
    assert live == 1


def test_an_applied_run_that_erased_someone_ends_with_the_vacuum(monkeypatch, tmp_path):
    called = []
    monkeypatch.setattr(retention.people_services, "data_keys_vacuum", lambda: called.append(True))
    monkeypatch.setattr(retention, "shred", lambda **kwargs: [1])
    with scratch_database(tmp_path) as scratch:
        run_on(scratch, lambda: retention.retention_run(apply=True))
    assert called == [True]
