"""Reading the audit trail back to prove it whole: `carehub audit verify` and its anchors.

services.py writes the chains; this module only reads them, event by event, recomputing each hash. It asks no access
policy: it is run by the operator's command, and it says only where a chain broke, never what an event holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from carehub.audit.models import ChainedEvent
from carehub.audit.services import GENESIS_HASH, MAIN, Chain


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


def verify_chain(events: Iterable[ChainedEvent] | None = None, *, chain: Chain = MAIN) -> ChainBreak | None:
    """The first event of `chain` that was altered or removed, or None when the chain is intact.

    Removing the newest events, or deleting one and renumbering and re-hashing every later event, leaves a chain
    that is consistent on its own: only a head published elsewhere (see `head` and `verify_anchor`) catches that.
    """
    if events is None:
        events = chain.model.objects.order_by("seq").iterator(chunk_size=5000)
    expected_seq, prev_hash = 1, GENESIS_HASH
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"event {expected_seq} is missing (the next event found is {event.seq})")
        intact = event.compute_hash() == event.hash
        if event.prev_hash != prev_hash:
            if intact and event.seq > 1:
                # This event is as it was written, so the one before it was changed and its hash recomputed.
                altered = event.seq - 1
                return ChainBreak(
                    altered,
                    f"event {altered} was altered after it was written (event {event.seq} no longer links to it)",
                )
            return ChainBreak(event.seq, f"event {event.seq} was altered after it was written")
        if not intact:
            return ChainBreak(event.seq, f"event {event.seq} was altered after it was written")
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None


def verify_anchor(seq: int, digest: str, *, chain: Chain = MAIN) -> ChainBreak | None:
    """Check a head published earlier (`carehub audit verify` prints it): event `seq` must still carry `digest`.

    Together with `verify_chain` this proves that nothing up to that event was altered, removed or re-chained, and
    that the trail was not cut back below it.
    """
    found = chain.model.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if found is None:
        return ChainBreak(seq, f"event {seq}, published earlier, is missing")
    if found != digest:
        return ChainBreak(seq, f"event {seq} no longer has the hash published earlier: the chain was rewritten")
    return None


def head(chain: Chain = MAIN) -> tuple[int, str]:
    """The last event's number and hash: publish it elsewhere to detect removal of the newest events too."""
    last = chain.model.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS_HASH)
