"""Writing and verifying the audit trail.

Every service that touches person-level data calls `record` inside its own transaction, so the action and its audit
event commit or roll back together (an action without its audit event cannot exist). An event about a sealed-pathway
record goes to the sealed chain, every other event to the hub's chain (see models.py for why there are two).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from carehub.audit.models import Action, AuditEvent, ChainedEvent, EventType, SealedAuditEvent

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Chain:
    """One hash chain: its table, the advisory lock that serialises its appends, and its name in messages."""

    model: type[ChainedEvent]
    lock_id: int
    name: str


# Any fixed numbers, one per chain: a sealed write never waits on, or delays, a write to the hub's chain.
MAIN = Chain(AuditEvent, 7_300_451_122, "audit trail")
SEALED = Chain(SealedAuditEvent, 7_300_451_123, "sealed audit trail")
CHAINS = (MAIN, SEALED)  # the order appends take their locks in, so two writers never wait on each other in a cycle

# Events waiting to be appended at the end of a `batched()` block, or None outside one.
_pending: ContextVar[list[ChainedEvent] | None] = ContextVar("carehub_audit_pending", default=None)


def chain_for(*, sealed: bool) -> Chain:
    return SEALED if sealed else MAIN


def _lock_chain(chain: Chain) -> None:
    """Serialise appends so each event links to the one committed before it in its chain.

    SQLite already serialises writers (Care Hub opens write transactions IMMEDIATE); PostgreSQL needs a lock held
    until commit.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.lock_id])


def _actor_memberships(actor) -> list:
    """The actor's active memberships: the organisations she was acting for."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    # The access policy caches the request's memberships on the user; reuse them rather than query again.
    active = getattr(actor, "_carehub_memberships", None)
    if active is None:
        active = actor.memberships.filter(is_active=True).select_related("organisation")
    return list(active)


def _actor_fields(actor, memberships: list) -> dict:
    """Who acted, as a snapshot: the organisations are those the actor was acting for (active memberships only)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "organisations": ""}
    slugs = sorted({m.organisation.slug for m in memberships})
    return {"actor_id": actor.pk, "actor_username": actor.get_username(), "organisations": ",".join(slugs)}


def _works_only_in_independent_service(memberships: list) -> bool:
    """Everything such a person does belongs to the sealed chain, her sign-ins included: the independent service
    works on sealed records alone, so how often and when its people act rises and falls with sealed activity."""
    return bool(memberships) and all(m.organisation.is_independent_advisory for m in memberships)


def belongs_to_sealed_chain(user) -> bool:
    """Whether events about `user` (a failed sign-in to her account, say) go to the sealed chain: she works only in
    the independent service, so even her mistyped passwords rise and fall with sealed activity."""
    return _works_only_in_independent_service(_actor_memberships(user))


def record(
    *,
    actor,
    action: Action | str,
    event: EventType | str = "",
    object_type: str = "",
    object_id: str | int = "",
    survivor_id: int | None = None,
    sealed: bool = False,
    reason: str = "",
    changes: dict | None = None,
) -> ChainedEvent:
    """Append one event to its chain (the sealed one when `sealed`). Call inside the transaction of the action.

    Inside a `batched()` block the event is appended when the block ends (still inside the transaction). An actor
    who works only in the independent advisory service writes to the sealed chain whatever she does. `event` says
    what happened (models.EventType); `action` stays the broad verb, and `changes` the details.
    """
    memberships = _actor_memberships(actor)
    sealed = sealed or _works_only_in_independent_service(memberships)
    event = chain_for(sealed=sealed).model(
        at=timezone.now(),
        action=str(action),
        event_type=str(event),
        object_type=object_type,
        object_id=str(object_id),
        survivor_id=survivor_id,
        sealed=sealed,
        reason=reason,
        changes=changes or {},
        **_actor_fields(actor, memberships),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
        return event
    with transaction.atomic():
        _append_all([event])
    return event


def _append_all(events: list[ChainedEvent]) -> None:
    """Append each chain's share of the events to that chain, in the fixed order of CHAINS."""
    for chain in CHAINS:
        mine = [event for event in events if isinstance(event, chain.model)]
        if mine:
            _append(chain, mine)


def _append(chain: Chain, events: list[ChainedEvent]) -> None:
    """Link the events to the end of the chain and insert them: the lock is held from here to commit."""
    _lock_chain(chain)
    with connection.cursor() as cursor:  # plain SQL: this runs on every write of person-level data
        cursor.execute(
            f"SELECT seq, hash FROM {chain.model._meta.db_table} ORDER BY seq DESC LIMIT 1"  # noqa: S608 (no input)
        )
        last = cursor.fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    for event in events:
        event.seq, event.prev_hash = seq, prev_hash
        event.hash = event.compute_hash()
        seq, prev_hash = seq + 1, event.hash
    chain.model.objects.bulk_create(events)


@contextmanager
def batched() -> Iterator[None]:
    """Collect the events recorded inside the block and append them together as it ends.

    Use it as the innermost block of a transaction, `with transaction.atomic(), audit.batched():`. The chain's lock
    serialises every writer from the moment it is taken until commit; taken at the end of the work rather than at
    its first event, it is held for the insert and the commit alone, so concurrent requests overlap their real work.
    If the block fails, its events are dropped with the rest of the transaction.
    """
    if _pending.get() is not None:  # already batching: the outer block appends
        yield
        return
    token = _pending.set([])
    try:
        yield
        events = _pending.get()
    finally:
        _pending.reset(token)
    if events:
        with transaction.atomic(savepoint=False):
            _append_all(events)


def batched_page(view: Callable) -> Callable:
    """Render a page that reads several audited things about her (the record, her safe-contact instructions, repeat
    suggestions) in one transaction whose events are appended together at its end: one turn of the chain's lock and
    one commit per page instead of one per read. The events are committed before the response leaves, so a page is
    never shown without its reads on the trail."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with transaction.atomic(), batched():
            return view(*args, **kwargs)

    return wrapper


def _is_sealed(obj: Model) -> bool:
    """Whether an event about `obj` belongs to the sealed pathway, and so to the independent service's auditor only.

    A survivor has no `sealed` flag of her own, but an event saying who looked at a survivor whose referral is sealed
    would tell the hub's auditor that she reported a police officer or member of staff.
    """
    if obj._meta.model_name == "survivor":
        return obj.referrals.filter(sealed=True).exists()
    return bool(getattr(obj, "sealed", False))


def public_key(obj: Model) -> str:
    """How the trail names a record: never by its primary key where the record has a public identifier.

    Keys come from one sequence shared by sealed and ordinary records, so "case 100, then case 102" would tell the
    hub's auditor that a record, perhaps a sealed one, was created in between. Referrals carry a random reference;
    survivors and the records people work on carry a random public identifier (core.public_ids).
    """
    return str(getattr(obj, "public_id", None) or getattr(obj, "reference", None) or obj.pk)


def record_for(
    actor,
    action: Action | str,
    obj: Model,
    *,
    event: EventType | str = "",
    reason: str = "",
    changes: dict | None = None,
    sealed: bool | None = None,
) -> ChainedEvent:
    """Record an action on a model instance, finding its survivor and sealed state from the instance.

    Pass `sealed=True` when the caller knows better than the instance, e.g. a survivor created for a sealed referral
    before that referral exists. The event keeps the survivor's internal key (`survivor_id`) for the auditor's
    search, and names the record by its public identifier (`public_key`).
    """
    survivor_id = getattr(obj, "survivor_id", None)
    if obj._meta.model_name == "survivor":
        survivor_id = obj.pk
    return record(
        actor=actor,
        action=action,
        event=event,
        object_type=obj._meta.model_name,
        object_id=public_key(obj),
        survivor_id=survivor_id,
        sealed=_is_sealed(obj) if sealed is None else sealed,
        reason=reason,
        changes=changes,
    )
