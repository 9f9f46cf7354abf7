"""The database itself refuses to rewrite the audit trail, whatever path the SQL takes (ORM, bulk call or raw SQL).

Each refused statement runs in its own savepoint: on PostgreSQL an error aborts the enclosing transaction, and the
test must go on to show that nothing changed.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from carehub.audit import services as audit
from carehub.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


@pytest.fixture
def trail() -> list[AuditEvent]:
    return [
        audit.record(actor=None, action=Action.VIEW, object_type="referral", object_id=f"CH-TEST-000{i}")
        for i in range(3)
    ]


def refused(action, *args, **kwargs) -> str:
    """Run `action` in a savepoint; it must fail with the append-only error. Returns the message."""
    with pytest.raises(DatabaseError, match="append-only") as caught, transaction.atomic():
        action(*args, **kwargs)
    return str(caught.value)


def snapshot() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "reason", "object_id", "hash"))


def assert_untouched(before: list[tuple]) -> None:
    assert snapshot() == before
    assert audit.verify_chain() is None


def test_queryset_update_is_refused(trail):
    before = snapshot()
    refused(lambda: AuditEvent.objects.filter(pk=trail[1].pk).update(reason="nothing to see"))
    refused(lambda: AuditEvent.objects.update(reason="nothing to see"))
    assert_untouched(before)


def test_queryset_delete_is_refused(trail):
    before = snapshot()
    refused(lambda: AuditEvent.objects.filter(pk=trail[1].pk).delete())
    refused(lambda: AuditEvent.objects.all().delete())
    assert_untouched(before)


def test_saving_a_changed_instance_is_refused(trail):
    before = snapshot()
    event = AuditEvent.objects.get(pk=trail[1].pk)
    event.reason = "nothing to see"
    refused(event.save)
    assert_untouched(before)


def test_deleting_an_instance_is_refused(trail):
    before = snapshot()
    refused(AuditEvent.objects.get(pk=trail[0].pk).delete)
    assert_untouched(before)


def test_bulk_update_is_refused(trail):
    before = snapshot()
    events = list(AuditEvent.objects.all())
    for event in events:
        event.object_id = "CH-ZZZZ-ZZZZ"
    refused(AuditEvent.objects.bulk_update, events, ["object_id"])
    assert_untouched(before)


def test_an_upsert_over_an_event_is_refused(trail):
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
        "UPDATE audit_auditevent SET reason = 'nothing to see'",
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_auditevent WHERE seq = (SELECT MAX(seq) FROM audit_auditevent)",
    ],
)
def test_raw_sql_is_refused(trail, sql):
    before = snapshot()

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    refused(run)
    assert_untouched(before)


@on_postgresql
def test_truncate_is_refused_on_postgresql(trail):
    before = snapshot()

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")

    assert "TRUNCATE" in refused(run)
    assert_untouched(before)


@on_sqlite
@pytest.mark.parametrize(
    "sql",
    [
        # Same primary key: REPLACE would silently delete the old row, firing no DELETE trigger.
        "INSERT OR REPLACE INTO audit_auditevent (id, seq, at, actor_username, organisations, action, object_type,"
        " object_id, sealed, reason, changes, prev_hash, hash) SELECT id, seq + 1000, at, actor_username,"
        " organisations, action, object_type, 'CH-ZZZZ-ZZZZ', sealed, reason, changes, prev_hash, hash"
        " FROM audit_auditevent WHERE seq = (SELECT MIN(seq) FROM audit_auditevent)",
        # Same seq, new primary key.
        "REPLACE INTO audit_auditevent (seq, at, actor_username, organisations, action, object_type, object_id,"
        " sealed, reason, changes, prev_hash, hash) SELECT seq, at, actor_username, organisations, action,"
        " object_type, 'CH-ZZZZ-ZZZZ', sealed, reason, changes, prev_hash, hash FROM audit_auditevent"
        " WHERE seq = (SELECT MAX(seq) FROM audit_auditevent)",
    ],
)
def test_replace_is_refused_on_sqlite(trail, sql):
    before = snapshot()

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert "REPLACE" in refused(run)
    assert_untouched(before)


def test_appending_still_works_after_refusals(trail):
    refused(lambda: AuditEvent.objects.update(reason="x"))
    event = audit.record(actor=None, action=Action.SEARCH, object_type="referral")
    assert event.seq == trail[-1].seq + 1
    assert event.prev_hash == trail[-1].hash
    assert audit.verify_chain() is None
