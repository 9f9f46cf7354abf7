"""`carehub backup verify`: restore a backup into a scratch PostgreSQL database and prove what it would bring back.

A backup is two dumps (README, "Backups"): the whole database (`pg_dump --format=custom`), taken on the long
cycle, and the data-key table alone (`pg_dump --format=custom --data-only --table=people_datakey`), taken more
often and kept for less long. Restoring is: the main dump, then the key rows of the newest key dump laid over the
main dump's. A key destroyed since the main dump is destroyed in the key dump too, so a survivor erased after the
main dump was taken stays erased after the restore: her identity and notes are in the old dump, but the key that
opens them is not.

The check restores both into a database of its own (created and dropped here), then:
- verifies both audit chains, event by event, as `carehub audit verify` does;
- finds every survivor erased in the live database and checks that her key is destroyed in the restored copy (a
  main dump restored without a newer key dump fails here: those survivors would be readable again);
- finds any survivor marked erased in the copy whose key is not destroyed;
- opens a sample of restored identities, so a key dump that no CAREHUB_FIELD_KEYS key unwraps is found now.
It reads the live database only for which survivors are erased (their public ids), writes nothing there but its
own audit event, and never prints a person's data.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import connection

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.audit.services import MAIN, SEALED
from carehub.audit.verification import verify_chain
from carehub.people import crypto
from carehub.people.models import DataKey, Survivor

KEY_TABLE = DataKey._meta.db_table
KEY_SCHEMA = "restored_keys"
SAMPLE = 20
CHUNK = 5000


class BackupError(Exception):
    """The backup could not be restored or checked at all (as opposed to a check that found a problem)."""


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if not found:
        raise BackupError(f"{name} is not installed (the PostgreSQL client tools)")
    return found


def _conn_args(settings_dict: dict) -> list[str]:
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    return args


def _env(settings_dict: dict) -> dict:
    return {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}


def _server(settings_dict: dict, dbname: str = "postgres"):
    """A plain connection (not Django's: the restored copy is read with SQL of its own, so nothing Django caches or
    routes can mix it up with the live database). UTC, as Django writes, so timestamps hash as they were chained."""
    return psycopg.connect(
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        dbname=dbname,
        autocommit=True,
        options="-c TimeZone=UTC",
    )


def _run(args: list[str], settings_dict: dict, *, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(args, input=stdin, capture_output=True, env=_env(settings_dict), check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(f"{tool} failed: {done.stderr.decode(errors='replace').strip()[-500:]}")
    return done.stdout


def _is_custom_format(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"PGDMP"


def _as_sql(path: Path, settings_dict: dict) -> bytes:
    """A dump as SQL: a custom-format archive through pg_restore, a plain one as it is."""
    if _is_custom_format(path):
        return _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)], settings_dict)
    return path.read_bytes()


@contextmanager
def scratch_database(settings_dict: dict) -> Iterator[str]:
    name = f"carehub_verify_{uuid.uuid4().hex[:12]}"
    with _server(settings_dict) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _server(settings_dict) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restore_main(dump: Path, name: str, settings_dict: dict) -> None:
    psql = [_tool("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", *_conn_args(settings_dict), "--dbname", name]
    if _is_custom_format(dump):
        restore = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *_conn_args(settings_dict)]
        _run([*restore, "--dbname", name, str(dump)], settings_dict)
    else:
        _run([*psql, "--file", str(dump)], settings_dict)


_COPY = re.compile(rb"^COPY (?:public\.)?" + re.escape(KEY_TABLE.encode()) + rb" ", re.MULTILINE)


def _lay_keys_over(db, keys: Path, name: str, settings_dict: dict) -> tuple[int, int]:
    """Load the key dump beside the restored table and lay its rows over it; returns (keys laid, keys it lacked).

    The key dump's rows go into a schema of their own (its COPY retargeted), so the main dump's rows, which
    survivors reference, are updated in place rather than deleted and re-inserted.
    """
    sql = _as_sql(keys, settings_dict)
    if not _COPY.search(sql):
        raise BackupError(f"the key dump holds no rows of {KEY_TABLE} (make it with --data-only --table={KEY_TABLE})")
    retargeted = _COPY.sub(f"COPY {KEY_SCHEMA}.{KEY_TABLE} ".encode(), sql)
    # Only the key rows: no sequence settings or other statements of the dump's reach the restored database.
    prelude = f"CREATE SCHEMA {KEY_SCHEMA}; CREATE TABLE {KEY_SCHEMA}.{KEY_TABLE} (LIKE public.{KEY_TABLE});\n"
    copy_blocks = re.findall(
        rb"^COPY " + re.escape(f"{KEY_SCHEMA}.{KEY_TABLE}".encode()) + rb" .*?^\\\.$", retargeted, re.S | re.M
    )
    script = prelude.encode() + b"\n".join(copy_blocks) + b"\n"
    psql = [_tool("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", *_conn_args(settings_dict), "--dbname", name]
    _run(psql, settings_dict, stdin=script)
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE public.{KEY_TABLE} AS d SET wrapped = k.wrapped, rotated_at = k.rotated_at, "  # noqa: S608
            f"destroyed_at = k.destroyed_at FROM {KEY_SCHEMA}.{KEY_TABLE} AS k WHERE k.id = d.id"
        )
        laid = cursor.rowcount
        cursor.execute(
            f"SELECT count(*) FROM public.{KEY_TABLE} AS d WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {KEY_SCHEMA}.{KEY_TABLE} AS k WHERE k.id = d.id)"
        )
        lacked = cursor.fetchone()[0]
        cursor.execute(f"DROP SCHEMA {KEY_SCHEMA} CASCADE")
    return laid, lacked


_EVENT_COLUMNS = tuple(f.attname for f in MAIN.model._meta.concrete_fields if f.attname != "id")


def _events(db, chain) -> Iterator:
    """The restored chain's events as (unsaved) model instances, in order, so verify_chain hashes them as written."""
    columns = ", ".join(_EVENT_COLUMNS)
    with db.cursor(name=f"events_{chain.model._meta.model_name}", withhold=True) as cursor:
        cursor.itersize = CHUNK
        cursor.execute(f"SELECT {columns} FROM {chain.model._meta.db_table} ORDER BY seq")  # noqa: S608 (no input)
        for row in cursor:
            yield chain.model(**dict(zip(_EVENT_COLUMNS, row, strict=True)))


def _chains(db, report: Report) -> None:
    for chain in (MAIN, SEALED):
        broken = verify_chain(_events(db, chain), chain=chain)
        count = db.execute(f"SELECT count(*) FROM {chain.model._meta.db_table}").fetchone()[0]  # noqa: S608
        if broken is None:
            report.lines.append(f"The restored {chain.name} is intact: {count} events.")
        else:
            report.problems.append(f"The restored {chain.name} is broken at event {broken.seq}: {broken.problem}.")


_SURVIVORS = f"{Survivor._meta.db_table} AS s JOIN {KEY_TABLE} AS k ON k.id = s.data_key_id"


def _erased_stay_erased(db, report: Report) -> None:
    marked = db.execute(
        f"SELECT count(*) FROM {_SURVIVORS} WHERE s.erased_at IS NOT NULL AND k.wrapped IS NOT NULL"  # noqa: S608
    ).fetchone()[0]
    if marked:
        report.problems.append(f"{marked} survivors marked erased in the backup still have a data key.")
    erased_live = Survivor.objects.filter(erased_at__isnull=False).values_list("public_id", flat=True)
    total = readable = 0
    batch: list[str] = []

    def check(ids: list[str]) -> int:
        query = f"SELECT count(*) FROM {_SURVIVORS} WHERE s.public_id = ANY(%s) AND k.wrapped IS NOT NULL"  # noqa: S608
        return db.execute(query, [ids]).fetchone()[0]

    for public_id in erased_live.iterator(chunk_size=CHUNK):
        batch.append(public_id)
        total += 1
        if len(batch) == CHUNK:
            readable, batch = readable + check(batch), []
    if batch:
        readable += check(batch)
    if readable:
        report.problems.append(
            f"{readable} of the {total} survivors erased in the live database would be readable again from this "
            "backup: restore it with a key dump taken after their erasure (--keys)."
        )
    else:
        report.lines.append(f"All {total} survivors erased in the live database stay unreadable in the restored copy.")


def _sample_opens(db, report: Report) -> None:
    sample = db.execute(
        f"SELECT k.wrapped, s.identity_sealed FROM {_SURVIVORS} WHERE k.wrapped IS NOT NULL "  # noqa: S608
        f"ORDER BY s.id LIMIT {SAMPLE}"
    ).fetchall()
    try:
        for wrapped, sealed in sample:
            crypto.unseal(wrapped, sealed)
    except crypto.KeyUnavailable:
        report.problems.append("The restored data keys do not open with CAREHUB_FIELD_KEYS: the backup is unusable.")
        return
    report.lines.append(f"Restored identities open with the current keys ({len(sample)} sampled).")


def verify(*, dump: Path, keys: Path | None = None, actor=None) -> Report:
    """Restore `dump` (and `keys` over it) into a scratch database, check it, drop it; see the module docstring."""
    if connection.vendor != "postgresql":
        raise BackupError("backup verify restores PostgreSQL dumps: run it against the PostgreSQL database")
    for path in (dump, keys):
        if path is not None and not path.is_file():
            raise BackupError(f"{path} is not a file")
    settings_dict = dict(connection.settings_dict)
    report = Report()
    with scratch_database(settings_dict) as name:
        _restore_main(dump, name, settings_dict)
        db = _server(settings_dict, name)
        if keys is not None:
            laid, lacked = _lay_keys_over(db, keys, name, settings_dict)
            report.lines.append(f"Key dump laid over the main dump: {laid} keys.")
            if lacked:
                report.lines.append(
                    f"{lacked} keys of the main dump are not in the key dump (created after it): the main dump's "
                    "kept. Use a key dump taken after the main dump."
                )
        else:
            report.lines.append("No key dump given: the main dump's own keys were used.")
        try:
            _chains(db, report)
            _erased_stay_erased(db, report)
            _sample_opens(db, report)
        finally:
            db.close()
    audit.record(
        actor=actor,
        action=Action.VIEW,
        object_type="backup",
        changes={"ok": report.ok, "problems": len(report.problems), "with_key_dump": keys is not None},
        event=EventType.BACKUP_VERIFIED,
    )
    return report
