"""Writing and verifying the audit trail.

Every service that touches person-level data calls `record` inside its own transaction, so the action and its audit
event commit or roll back together (an action without its audit event cannot exist).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from carehub.audit.models import Action, AuditEvent

GENESIS_HASH = "0" * 64
# Any fixed number: the advisory lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_ID = 7_300_451_122


def _lock_chain() -> None:
    """Serialise appends so each event links to the one committed before it.

    SQLite already serialises writers (Care Hub opens write transactions IMMEDIATE); PostgreSQL needs a lock held
    until commit.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "organisations": ""}
    slugs = sorted({m.organisation.slug for m in actor.memberships.select_related("organisation")})
    return {"actor_id": actor.pk, "actor_username": actor.get_username(), "organisations": ",".join(slugs)}


def record(
    *,
    actor,
    action: Action | str,
    object_type: str = "",
    object_id: str | int = "",
    survivor_id: int | None = None,
    sealed: bool = False,
    reason: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction of the action it records."""
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        event = AuditEvent(
            seq=seq,
            at=timezone.now(),
            action=str(action),
            object_type=object_type,
            object_id=str(object_id),
            survivor_id=survivor_id,
            sealed=sealed,
            reason=reason,
            changes=changes or {},
            prev_hash=prev_hash,
            **_actor_fields(actor),
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        return event


def record_for(actor, action: Action | str, obj: Model, *, reason: str = "", changes: dict | None = None) -> AuditEvent:
    """Record an action on a model instance, finding its survivor and sealed state from the instance."""
    survivor_id = getattr(obj, "survivor_id", None)
    if obj._meta.model_name == "survivor":
        survivor_id = obj.pk
    return record(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=getattr(obj, "reference", None) or obj.pk,
        survivor_id=survivor_id,
        sealed=bool(getattr(obj, "sealed", False)),
        reason=reason,
        changes=changes,
    )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainBreak | None:
    """The first event that was altered or removed, or None when the chain is intact."""
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=5000)
    expected_seq, prev_hash = 1, GENESIS_HASH
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"event {expected_seq} is missing (the next event found is {event.seq})")
        if event.prev_hash != prev_hash:
            return ChainBreak(event.seq, f"event {event.seq} does not link to event {event.seq - 1}")
        if event.compute_hash() != event.hash:
            return ChainBreak(event.seq, f"event {event.seq} was altered after it was written")
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None


def head() -> tuple[int, str]:
    """The last event's number and hash: publish it elsewhere to detect removal of the newest events too."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS_HASH)
