"""Insert several new, related rows in one round trip to the database.

A referral taken in through the API is six rows (data key, survivor, linkage keys, referral, its first event, the
consent) whose keys chain into one another. Saved one by one through the ORM that is six statements, six round trips
and most of the Python time of an intake request; at the rate agency systems send referrals that time is what fills
the machine. On PostgreSQL they go as one statement of data-modifying CTEs, each row taking the key of the row before
it from the statement itself. Other databases (SQLite) save them one by one, as the ORM would.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin


def insert_together(*objs: Model, using: str = "default") -> None:
    """Insert new model instances, in order, as one statement where the database allows it.

    A foreign key to an instance earlier in the list is filled in from that row's new key, as `save()` would after
    saving the parent. Each instance ends as `save(force_insert=True)` would leave it: its key set, no longer adding.
    Model `save()` overrides and save signals are not run on PostgreSQL, so only pass models that have neither.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or len(objs) < 2:
        for obj in objs:
            obj.save(force_insert=True, using=using)
        return
    position = {id(obj): index for index, obj in enumerate(objs)}
    quote = connection.ops.quote_name
    ctes: list[str] = []
    params: list = []
    for index, obj in enumerate(objs):
        meta = obj._meta
        columns: list[str] = []
        values: list[str] = []
        for field in meta.local_concrete_fields:
            if getattr(field, "generated", False):
                continue
            parent = _parent_in_statement(obj, field, position)
            if parent is not None:
                columns.append(quote(field.column))
                values.append(f"(SELECT {quote(objs[parent]._meta.pk.column)} FROM t{parent})")  # noqa: S608
                continue
            if field.is_relation and field.get_cached_value(obj, default=None) is not None:
                related = field.get_cached_value(obj)
                if related.pk is None:
                    raise ValueError(f"{meta.label}.{field.name} refers to an unsaved row not inserted before it")
                setattr(obj, field.attname, related.pk)
            value = field.pre_save(obj, add=True)
            if isinstance(field, AutoFieldMixin) and value is None:
                continue  # the database numbers it
            if hasattr(value, "resolve_expression"):
                continue  # a database default: leave the column out
            columns.append(quote(field.column))
            values.append("%s")
            params.append(field.get_db_prep_save(value, connection=connection))
        # Only quoted table and column names from the models are formatted in; every value is a parameter.
        ctes.append(
            f"t{index} AS (INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(values)}) RETURNING {quote(meta.pk.column)})"
        )
    keys = ", ".join(f"(SELECT {quote(o._meta.pk.column)} FROM t{i})" for i, o in enumerate(objs))  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT {keys}", params)
        new_keys = cursor.fetchone()
    for obj, key in zip(objs, new_keys, strict=True):
        for field in obj._meta.local_concrete_fields:
            parent = _parent_in_statement(obj, field, position)
            if parent is not None:
                setattr(obj, field.attname, new_keys[parent])
        obj.pk = key
        obj._state.adding = False
        obj._state.db = using


def _parent_in_statement(obj: Model, field, position: dict[int, int]) -> int | None:
    """The index of the earlier, still unsaved instance this foreign key points at, if any."""
    if not field.is_relation or not (field.many_to_one or field.one_to_one):
        return None
    related = field.get_cached_value(obj, default=None)
    if related is None or id(related) not in position:
        return None
    if position[id(related)] >= position[id(obj)]:
        raise ValueError(f"{obj._meta.label}.{field.name} refers to a row inserted after it")
    return position[id(related)]
