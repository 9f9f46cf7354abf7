"""A throwaway copy of the test database's schema, for work that must really commit (secure deletion, dumps).

A transactional test would end with a flush that the audit trail's append-only triggers refuse, and bytes written
in an uncommitted transaction may never reach a file. So the work runs in a thread whose "default" connection
points at a scratch database (SQLite: a file copied with SQLite's backup API; PostgreSQL: a new database given the
test database's schema by pg_dump), where every statement commits; the scratch database is thrown away after.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connection, connections

PG_BIN = Path("/usr/bin")


def server_conninfo(settings_dict: dict, dbname: str = "postgres") -> dict:
    return {
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
        "dbname": dbname,
    }


def pg_args(settings_dict: dict) -> list[str]:
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    return args


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[dict]:
    """Settings for an empty database with the test database's schema (tables, triggers), dropped afterwards."""
    base = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        path = tmp_path / "scratch.sqlite3"
        # The schema only, read through the test's own connection and replayed: the suite's SQLite test database is
        # in memory (shared cache) unless CAREHUB_TEST_DB_NAME names a file, and SQLite's backup API, from that
        # connection or a second one, waits for ever on the test's open transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
            schema = [row[0] for row in cursor.fetchall()]
        target = sqlite3.connect(path)
        try:
            for statement in schema:
                target.execute(statement)
            target.commit()
        finally:
            target.close()
        yield {**base, "NAME": str(path)}
        return
    name = f"carehub_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**server_conninfo(base), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        schema = subprocess.run(
            [PG_BIN / "pg_dump", "--schema-only", "--no-owner", *pg_args(base), base["NAME"]],
            check=True, capture_output=True, env={"PGPASSWORD": base.get("PASSWORD") or ""},
        ).stdout  # fmt: skip
        subprocess.run(
            [PG_BIN / "psql", "--quiet", "--set", "ON_ERROR_STOP=1", *pg_args(base), name],
            input=schema, check=True, capture_output=True, env={"PGPASSWORD": base.get("PASSWORD") or ""},
        )  # fmt: skip
        yield {**base, "NAME": name}
    finally:
        with psycopg.connect(**server_conninfo(base), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_on(settings_dict: dict, work: Callable[[], object]) -> object:
    """Run `work` in a thread whose "default" connection is a new one to `settings_dict`'s database (autocommit)."""
    result: list[object] = [None]
    errors: list[BaseException] = []

    def target() -> None:
        own = type(connections["default"])(dict(settings_dict), "default")
        connections["default"] = own  # thread-local: the test's own connection is untouched
        try:
            result[0] = work()
        except BaseException as exc:  # handed back to the test's thread
            errors.append(exc)
        finally:
            own.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
