"""Helpers for asserting the exact audit events an action wrote, and for tampering with the trail on purpose."""

from __future__ import annotations

from django.db import DatabaseError, connection

from carehub.audit.models import AuditEvent
from carehub.audit.services import head

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


def refuse_audit_writes(monkeypatch) -> None:
    """The audit table refuses writes (disk full, lost connection ...): every append to the chain fails."""

    def refuse(*args, **kwargs):
        raise DatabaseError("could not extend file")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", refuse)


def last_seq() -> int:
    return head()[0]


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def described(event: AuditEvent) -> dict:
    return {name: getattr(event, name) for name in EVENT_FIELDS}


def drop_append_only_triggers() -> None:
    """Play an attacker who can run DDL. DDL is transactional on SQLite and PostgreSQL: the test's rollback restores
    the triggers, so no later test runs without them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_no_update ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
