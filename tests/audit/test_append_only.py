"""The database itself refuses to rewrite the audit trail, whatever path the SQL takes (ORM, bulk call or raw SQL),
in the hub's chain and the sealed pathway's chain alike (every test runs on both tables).

Each refused statement runs in its own savepoint: on PostgreSQL an error aborts the enclosing transaction, and the
test must go on to show that nothing changed.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from carehub.audit import services as audit
from carehub.audit import verification
from carehub.audit.models import Action
from carehub.audit.services import MAIN, SEALED
from tests.audit.trail import TABLES

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


@pytest.fixture(params=[MAIN, SEALED], ids=["hub", "sealed"])
def chain(request) -> audit.Chain:
    return request.param


@pytest.fixture
def AuditEvent(chain):  # the model under test, named as the tests read it
    return chain.model


@pytest.fixture
def table(chain) -> str:
    return TABLES[chain]


@pytest.fixture
def trail(chain) -> list:
    return [
        audit.record(
            actor=None,
            action=Action.VIEW,
            object_type="referral",
            object_id=f"CH-TEST-000{i}",
            sealed=chain is SEALED,
        )
        for i in range(3)
    ]


def refused(action, *args, **kwargs) -> str:
    """Run `action` in a savepoint; it must fail with the append-only error. Returns the message."""
    with pytest.raises(DatabaseError, match="append-only") as caught, transaction.atomic():
        action(*args, **kwargs)
    return str(caught.value)


@pytest.fixture
def snapshot(chain):
    def take() -> list[tuple]:
        return list(chain.model.objects.order_by("seq").values_list("seq", "reason", "object_id", "hash"))

    return take


@pytest.fixture
def assert_untouched(chain, snapshot):
    def check(before: list[tuple]) -> None:
        assert snapshot() == before
        assert verification.verify_chain(chain=chain) is None

    return check


def test_queryset_update_is_refused(trail, AuditEvent, snapshot, assert_untouched, table):
    before = snapshot()
    refused(lambda: AuditEvent.objects.filter(pk=trail[1].pk).update(reason="nothing to see"))
    refused(lambda: AuditEvent.objects.update(reason="nothing to see"))
    assert_untouched(before)


def test_queryset_delete_is_refused(trail, AuditEvent, snapshot, assert_untouched, table):
    before = snapshot()
    refused(lambda: AuditEvent.objects.filter(pk=trail[1].pk).delete())
    refused(lambda: AuditEvent.objects.all().delete())
    assert_untouched(before)


def test_saving_a_changed_instance_is_refused(trail, AuditEvent, snapshot, assert_untouched, table):
    before = snapshot()
    event = AuditEvent.objects.get(pk=trail[1].pk)
    event.reason = "nothing to see"
    refused(event.save)
    assert_untouched(before)


def test_deleting_an_instance_is_refused(trail, AuditEvent, snapshot, assert_untouched, table):
    before = snapshot()
    refused(AuditEvent.objects.get(pk=trail[0].pk).delete)
    assert_untouched(before)


def test_bulk_update_is_refused(trail, AuditEvent, snapshot, assert_untouched, table):
    before = snapshot()
    events = list(AuditEvent.objects.all())
    for event in events:
        event.object_id = "CH-ZZZZ-ZZZZ"
    refused(AuditEvent.objects.bulk_update, events, ["object_id"])
    assert_untouched(before)


def test_an_upsert_over_an_event_is_refused(trail, AuditEvent, snapshot, assert_untouched, table):
    """`INSERT ... ON CONFLICT DO UPDATE` rewrites a row without an UPDATE statement."""
    before = snapshot()
    forged = AuditEvent(**{f.attname: getattr(trail[1], f.attname) for f in AuditEvent._meta.concrete_fields})
    forged.pk = None
    forged.reason = "forged"
    refused(
        AuditEvent.objects.bulk_create,
        [forged],
        update_conflicts=True,
        unique_fields=["seq"],
        update_fields=["reason"],
    )
    assert_untouched(before)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET reason = 'nothing to see'",
        "DELETE FROM {table}",
        "DELETE FROM {table} WHERE seq = (SELECT MAX(seq) FROM {table})",
    ],
)
def test_raw_sql_is_refused(trail, AuditEvent, snapshot, assert_untouched, table, sql):
    before = snapshot()

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=table))

    refused(run)
    assert_untouched(before)


@on_postgresql
def test_truncate_is_refused_on_postgresql(trail, AuditEvent, snapshot, assert_untouched, table):
    before = snapshot()

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")

    assert "TRUNCATE" in refused(run)
    assert_untouched(before)


@on_sqlite
@pytest.mark.parametrize(
    "sql",
    [
        # Same primary key: REPLACE would silently delete the old row, firing no DELETE trigger.
        "INSERT OR REPLACE INTO {table} (id, seq, at, actor_username, organisations, action, object_type,"
        " object_id, sealed, reason, changes, prev_hash, hash) SELECT id, seq + 1000, at, actor_username,"
        " organisations, action, object_type, 'CH-ZZZZ-ZZZZ', sealed, reason, changes, prev_hash, hash"
        " FROM {table} WHERE seq = (SELECT MIN(seq) FROM {table})",
        # Same seq, new primary key.
        "REPLACE INTO {table} (seq, at, actor_username, organisations, action, object_type, object_id,"
        " sealed, reason, changes, prev_hash, hash) SELECT seq, at, actor_username, organisations, action,"
        " object_type, 'CH-ZZZZ-ZZZZ', sealed, reason, changes, prev_hash, hash FROM {table}"
        " WHERE seq = (SELECT MAX(seq) FROM {table})",
    ],
)
def test_replace_is_refused_on_sqlite(trail, AuditEvent, snapshot, assert_untouched, table, sql):
    before = snapshot()

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=table))

    assert "REPLACE" in refused(run)
    assert_untouched(before)


def test_appending_still_works_after_refusals(trail, AuditEvent, chain):
    refused(lambda: AuditEvent.objects.update(reason="x"))
    event = audit.record(actor=None, action=Action.SEARCH, object_type="referral", sealed=chain is SEALED)
    assert event.seq == trail[-1].seq + 1
    assert event.prev_hash == trail[-1].hash
    assert verification.verify_chain(chain=chain) is None
