"""Writers appending at the same time on PostgreSQL still make one unbroken chain.

Each writer needs its own connection and its own committed transactions, which the usual test transaction cannot
give, and a transactional test would end with a flush (TRUNCATE) that the append-only triggers refuse. So the test
makes a throwaway database of its own, with just the audit table and its triggers, points each writer thread's
"default" connection at it, and drops it afterwards. SQLite serialises writers itself (IMMEDIATE transactions).
"""

from __future__ import annotations

import importlib
import itertools
import threading
import uuid
from collections.abc import Callable

import psycopg
import pytest
from django.db import connection, connections, transaction

from carehub.audit import services as audit
from carehub.audit import verification
from carehub.audit.models import Action, AuditEvent, SealedAuditEvent
from carehub.audit.services import SEALED

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers are a PostgreSQL question"),
]

WRITERS = 4
EVENTS_EACH = 100


def _server_conninfo(settings_dict: dict) -> dict:
    return {
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
        "dbname": "postgres",
    }


@pytest.fixture
def throwaway_database():
    """The name of a fresh database holding only the audit table and its append-only triggers."""
    base = dict(connections["default"].settings_dict)
    name = f"carehub_chain_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_server_conninfo(base), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    settings_dict = {**base, "NAME": name}
    try:
        append_only = importlib.import_module("carehub.audit.migrations.0002_append_only")
        sealed_chain = importlib.import_module("carehub.audit.migrations.0004_sealed_chain")

        def create_schema() -> None:
            with connections["default"].schema_editor(atomic=False) as editor:
                editor.create_model(AuditEvent)
                editor.execute(append_only.POSTGRES_UP, params=None)
                editor.create_model(SealedAuditEvent)
                editor.execute(sealed_chain.POSTGRES_UP, params=None)

        run_on(settings_dict, create_schema)
        yield settings_dict
    finally:
        with psycopg.connect(**_server_conninfo(base), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_on(settings_dict: dict, *work: Callable[[], object]) -> list[object]:
    """Run each callable in its own thread, whose "default" connection is a new one to `settings_dict`'s database."""
    results: list[object] = [None] * len(work)
    errors: list[BaseException] = []

    def target(index: int, fn: Callable[[], object]) -> None:
        own = type(connections["default"])(dict(settings_dict), "default")
        connections["default"] = own  # thread-local: the test's own connection is untouched
        try:
            results[index] = fn()
        except BaseException as exc:  # re-raised in the test's own thread below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=target, args=(i, fn)) for i, fn in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def test_concurrent_appends_keep_one_unbroken_chain(throwaway_database):
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> Callable[[], int]:
        def write() -> int:
            start.wait(timeout=30)
            for i in range(EVENTS_EACH):
                audit.record(actor=None, action=Action.VIEW, object_type="referral", object_id=f"W{number}-{i}")
            return connections["default"].settings_dict["NAME"]

        return write

    used = run_on(throwaway_database, *[writer(n) for n in range(WRITERS)])
    assert set(used) == {throwaway_database["NAME"]}, "the writers must not touch the test database"

    def inspect() -> tuple:
        rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "object_id"))
        return verification.verify_chain(), rows

    [(broken, rows)] = run_on(throwaway_database, inspect)
    assert broken is None
    assert [seq for seq, _ in rows] == list(range(1, WRITERS * EVENTS_EACH + 1))
    written = {object_id for _, object_id in rows}
    assert written == {f"W{n}-{i}" for n in range(WRITERS) for i in range(EVENTS_EACH)}
    # The writers really did interleave, or the test proved nothing about concurrency.
    runs = sum(1 for (_, a), (_, b) in itertools.pairwise(rows) if a.split("-")[0] != b.split("-")[0])
    assert runs > WRITERS
    assert not AuditEvent.objects.filter(object_id__startswith="W").exists()


def test_concurrent_batches_append_each_batch_whole_and_in_one_chain(throwaway_database):
    """Requests that batch their events (as referral intake does) still make one chain, each batch unbroken."""
    start = threading.Barrier(WRITERS)
    batches, batch_size = 25, 3

    def writer(number: int) -> Callable[[], int]:
        def write() -> int:
            start.wait(timeout=30)
            for b in range(batches):
                with transaction.atomic(), audit.batched():
                    for i in range(batch_size):
                        audit.record(
                            actor=None, action=Action.CREATE, object_type="referral", object_id=f"B{number}-{b}-{i}"
                        )
            return 0

        return write

    run_on(throwaway_database, *[writer(n) for n in range(WRITERS)])

    def inspect() -> tuple:
        rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "object_id"))
        return verification.verify_chain(), rows

    [(broken, rows)] = run_on(throwaway_database, inspect)
    assert broken is None
    assert [seq for seq, _ in rows] == list(range(1, WRITERS * batches * batch_size + 1))
    ids = [object_id for _, object_id in rows]
    for first in range(0, len(ids), batch_size):
        chunk = ids[first : first + batch_size]
        writer_batch = chunk[0].rsplit("-", 1)[0]
        assert chunk == [f"{writer_batch}-{i}" for i in range(batch_size)], "a batch was split by another writer"
    runs = sum(1 for a, b in itertools.pairwise(ids) if a.split("-")[0] != b.split("-")[0])
    assert runs > WRITERS, "the writers did not interleave, so the test proved nothing"


def test_concurrent_sealed_and_hub_writers_keep_two_unbroken_chains(throwaway_database):
    """Batches that mix both kinds of event take both chains' locks, always in one order: no deadlock, no gap."""
    start = threading.Barrier(WRITERS)
    batches = 20

    def writer(number: int) -> Callable[[], int]:
        def write() -> int:
            start.wait(timeout=30)
            for b in range(batches):
                with transaction.atomic(), audit.batched():
                    # Sealed first in half the writers: the order of recording must not decide the order of locking.
                    for sealed in (True, False) if number % 2 else (False, True):
                        audit.record(
                            actor=None,
                            action=Action.CREATE,
                            object_type="referral",
                            object_id=f"{'S' if sealed else 'H'}{number}-{b}",
                            sealed=sealed,
                        )
            return 0

        return write

    run_on(throwaway_database, *[writer(n) for n in range(WRITERS)])

    def inspect() -> tuple:
        hub = list(AuditEvent.objects.order_by("seq").values_list("seq", "object_id"))
        sealed = list(SealedAuditEvent.objects.order_by("seq").values_list("seq", "object_id"))
        return verification.verify_chain(), verification.verify_chain(chain=SEALED), hub, sealed

    [(hub_broken, sealed_broken, hub, sealed)] = run_on(throwaway_database, inspect)
    assert hub_broken is None and sealed_broken is None
    assert [seq for seq, _ in hub] == [seq for seq, _ in sealed] == list(range(1, WRITERS * batches + 1))
    assert {object_id[0] for _, object_id in hub} == {"H"}
    assert {object_id[0] for _, object_id in sealed} == {"S"}
