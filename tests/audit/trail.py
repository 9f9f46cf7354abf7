"""Helpers for asserting the exact audit events an action wrote, and for tampering with the trail on purpose.

An action's events may go to either chain (the hub's, or the sealed pathway's): `last_seq` marks the end of both, and
`events_after` returns what both gained since, in the order written.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import DatabaseError, connection

from carehub.audit.models import AuditEvent, ChainedEvent, SealedAuditEvent
from carehub.audit.services import MAIN, SEALED
from carehub.audit.verification import head

# Every field an event records, for comparing an event with what it should say.
EVENT_FIELDS = (
    "actor_id",
    "actor_username",
    "organisations",
    "action",
    "object_type",
    "object_id",
    "survivor_id",
    "sealed",
    "reason",
)
TABLES = {MAIN: "audit_auditevent", SEALED: "audit_sealedauditevent"}
TRIGGER_PREFIX = {MAIN: "audit_event", SEALED: "audit_sealed_event"}


class Mark(NamedTuple):
    """The last event of each chain at a moment."""

    main: int
    sealed: int


def refuse_audit_writes(monkeypatch) -> None:
    """The audit tables refuse writes (disk full, lost connection ...): every append to either chain fails."""

    def refuse(*args, **kwargs):
        raise DatabaseError("could not extend file")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", refuse)
    monkeypatch.setattr(SealedAuditEvent.objects, "bulk_create", refuse)


def last_seq() -> Mark:
    return Mark(head(MAIN)[0], head(SEALED)[0])


def events_after(mark: Mark) -> list[ChainedEvent]:
    main = list(AuditEvent.objects.filter(seq__gt=mark.main).order_by("seq"))
    sealed = list(SealedAuditEvent.objects.filter(seq__gt=mark.sealed).order_by("seq"))
    return sorted(main + sealed, key=lambda event: event.at)  # stable: equal times keep each chain's order


def named(record) -> str:
    """How the trail names a record: its public id where it has one (cases are getting theirs), never a bare key
    once it does; a referral by its random reference."""
    return getattr(record, "public_id", None) or getattr(record, "reference", None) or str(record.pk)


def described(event: ChainedEvent) -> dict:
    return {name: getattr(event, name) for name in EVENT_FIELDS}


def drop_append_only_triggers(chain=MAIN) -> None:
    """Play an attacker who can run DDL. DDL is transactional on SQLite and PostgreSQL: the test's rollback restores
    the triggers, so no later test runs without them."""
    prefix = TRIGGER_PREFIX[chain]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {prefix}_no_update ON {TABLES[chain]}")
        else:
            cursor.execute(f"DROP TRIGGER {prefix}_no_update")
            cursor.execute(f"DROP TRIGGER {prefix}_no_delete")
