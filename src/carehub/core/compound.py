"""Several look-ups in one round trip: UNION ALL of querysets that each keep their own LIMIT.

A page that needs the rows of a handful of indexed look-ups (a survivor's candidate blocks, the arms of a name and
date-of-birth search) would otherwise wait for the database once per look-up; on a busy machine the waiting, not the
look-ups, is what the page costs. Django's own `union()` refuses an arm with a LIMIT on SQLite (a compound
statement's arm may not have one there), so each arm here is a derived table, which both SQLite and PostgreSQL
take with a LIMIT, and the statement is the ORM's own SQL with its values bound as parameters.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet


def union_all(*arms: QuerySet) -> list[tuple]:
    """The rows of every arm, arm by arm (rows within an arm in no set order, as without ORDER BY).

    Each arm is a `values_list()` queryset selecting the same number of columns, of compatible types, in the same
    order; it may be sliced. All arms run on the first arm's database.
    """
    if not arms:
        return []
    connection = connections[arms[0].db]
    quote = connection.ops.quote_name
    parts, params = [], []
    for number, arm in enumerate(arms):
        sql, arm_params = arm.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) {quote(f'arm_{number}')}")  # noqa: S608 (the ORM's SQL, values bound)
        params.extend(arm_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()
