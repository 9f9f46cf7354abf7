"""Bulk writes for the seeder: PostgreSQL COPY, SQLite executemany; both far faster than saving model instances.

Values arrive ready for the database (strings for timestamps, JSON text, bytes, ids). Columns come from the model's
own fields, so a field added later with a default, or that may be blank or null, is filled in, and a required one
stops the seeder with its name instead of writing bad rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat

import numpy as np
from django.core.management.color import no_style
from django.db import connection, models

from carehub.synthetic.sampling import NA

_FOREIGN_KEYS = """
    SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
"""
# Indexes that back no constraint (primary keys and unique constraints stay: they guard the data as it loads).
_SECONDARY_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::regclass[])
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


BULK_LOAD_FROM = 50_000  # rows: below this, dropping and rebuilding indexes costs more than it saves
SQLITE_LOAD_CACHE_KIB = -262_144  # negative: KiB, so 256 MiB of page cache while loading


class BulkWriter:
    def __init__(self) -> None:
        connection.ensure_connection()
        self.postgres = connection.vendor == "postgresql"

    def datetimes(self, seconds: np.ndarray) -> list[str | None]:
        """Timestamps (UTC seconds, NA for none) as the text each database stores; SQLite compares them as text."""
        iso = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").astype("S19")
        chars = iso.view(np.uint8).reshape(-1, 19)
        chars[:, 10] = ord(" ")  # "2024-05-01 13:45:00", as Django stores datetimes in SQLite
        text = chars.view("S19").ravel()
        if self.postgres:
            text = np.char.add(text, b"+00")
        out = np.char.decode(text, "ascii").astype(object)
        out[seconds == NA] = None
        return out.tolist()

    def write(self, model: type[models.Model], columns: dict[str, Sequence]) -> int:
        """Insert rows given column by column (field name -> values); returns how many."""
        fields, values = self._complete(model, columns)
        rows = zip(*values, strict=False)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        count = len(next(iter(columns.values())))
        if self.postgres:
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(fields))
            connection.connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        return count

    def _complete(self, model: type[models.Model], columns: dict[str, Sequence]) -> tuple[list, list[Iterable]]:
        fields, values = [], []
        for field in model._meta.concrete_fields:
            name = field.attname
            if field.primary_key and name not in columns:
                continue  # the database numbers rows nothing else refers to
            if name in columns:
                values.append(columns[name])
            elif field.unique and callable(field.default):
                # One default repeated down the column (a public identifier) would clash at the second row.
                raise ValueError(f"the seeder gives no value for {model.__name__}.{name}, which is unique per row")
            elif field.has_default() or (field.blank and field.empty_strings_allowed):
                values.append(repeat(self._constant(field, field.get_default())))
            elif field.null:
                values.append(repeat(None))
            else:
                raise ValueError(f"the seeder gives no value for {model.__name__}.{name}, and it has no default")
            fields.append(field)
        return fields, values

    @staticmethod
    def _constant(field: models.Field, value):
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        return value

    @contextmanager
    def bulk_load(self, *model_classes: type[models.Model], rows: int) -> Iterator[None]:
        """On PostgreSQL, drop the secondary indexes and foreign keys of the tables being filled, then put them back.

        Building an index once is far faster than updating it row by row, and one validating join per foreign key
        beats a deferred trigger per row, which at a million rows cost minutes at commit (PostgreSQL manual,
        "Populating a Database"). It all happens inside the caller's transaction, so a failure restores them. SQLite
        keeps its indexes (it needs them to check deferred foreign keys as parent rows arrive) but gets a large page
        cache. Small loads (fewer than BULK_LOAD_FROM rows) change nothing, and so take no exclusive lock.
        """
        if rows < BULK_LOAD_FROM:
            yield
            return
        if not self.postgres:
            yield from self._sqlite_bulk_load()
            return
        tables = [m._meta.db_table for m in model_classes]
        with connection.cursor() as cursor:
            # Check what is pending now (the directory, the users): a table with pending deferred checks cannot be
            # altered, and re-adding a foreign key alters the table it points to.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(_FOREIGN_KEYS, [tables])
            foreign_keys = cursor.fetchall()
            cursor.execute(_SECONDARY_INDEXES, [tables])
            indexes = cursor.fetchall()
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    @staticmethod
    def _sqlite_bulk_load() -> Iterator[None]:
        """A large page cache while loading: index pages stay in memory instead of being re-read at every insert."""
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = {SQLITE_LOAD_CACHE_KIB}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")

    def reset_sequences(self, *model_classes: type[models.Model]) -> None:
        """After writing explicit ids, PostgreSQL's sequences must move past them (SQLite's AUTOINCREMENT does)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: the seeder numbers rows itself so that foreign keys need no round trips."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def ids(first: int, indices: np.ndarray) -> list[int | None]:
    """Database ids for plan indices (NA stays None)."""
    out = (indices + first).astype(object)
    out[indices == NA] = None
    return out.tolist()
