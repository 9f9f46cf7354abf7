"""`carehub audit verify` names the first event that was altered or removed by someone who got past the triggers,
in the hub's chain and in the sealed pathway's chain alike, and says which chain broke.

Each tampering test first drops the append-only triggers, as an attacker with DDL rights would; the test's rollback
restores them (DDL is transactional on both databases).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carehub.audit import services as audit
from carehub.audit import verification
from carehub.audit.models import Action, AuditEvent, SealedAuditEvent
from carehub.audit.services import MAIN, SEALED
from tests.audit.trail import drop_append_only_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail() -> list[AuditEvent]:
    """Seven events of varied kinds; the middle ones are the interesting ones to tamper with."""
    events = []
    for i in range(7):
        events.append(
            audit.record(
                actor=None,
                action=[Action.CREATE, Action.VIEW, Action.ERASE][i % 3],
                object_type="referral",
                object_id=f"CH-TEST-{i:04d}",
                survivor_id=100 + i,
                reason="Survivor asked for erasure" if i % 3 == 2 else "",
                changes={"fields": ["status"], "n": i},
            )
        )
    return events


@pytest.fixture
def sealed_trail(trail) -> list[SealedAuditEvent]:
    """Five events about sealed records, written between the hub's events: they form a chain of their own."""
    events = []
    for i in range(5):
        events.append(
            audit.record(
                actor=None,
                action=[Action.CREATE, Action.VIEW][i % 2],
                object_type="referral",
                object_id=f"CH-SEAL-{i:04d}",
                survivor_id=200 + i,
                sealed=True,
                changes={"n": i},
            )
        )
        audit.record(actor=None, action=Action.SEARCH, object_type="referral", object_id=f"CH-MAIN-{i:04d}")
    return events


def verify(*anchors: str, sealed_anchors: tuple[str, ...] = ()) -> str:
    out = io.StringIO()
    options = [f"--anchor={a}" for a in anchors] + [f"--sealed-anchor={a}" for a in sealed_anchors]
    call_command("audit", "verify", *options, stdout=out)
    return out.getvalue()


def broken_at(*anchors: str, sealed_anchors: tuple[str, ...] = (), chain: str = "audit trail") -> tuple[int, str]:
    """Run verify expecting failure; return the event number it names in `chain` and its message."""
    with pytest.raises(CommandError) as caught:
        verify(*anchors, sealed_anchors=sealed_anchors)
    assert caught.value.returncode == 1, "a broken trail must exit non-zero"
    message = str(caught.value)
    line = next(line for line in message.splitlines() if line.startswith(f"The {chain} is broken"))
    seq = int(line.split("broken at event ", 1)[1].split(":", 1)[0])
    return seq, message


def rehash(number: int, **fields) -> None:
    """Rewrite one event as a forger who knows the hashing scheme would: new content, recomputed hash."""
    event = AuditEvent.objects.get(seq=number)
    for name, value in fields.items():
        setattr(event, name, value)
    event.hash = event.compute_hash()
    AuditEvent.objects.filter(pk=event.pk).update(**fields, hash=event.hash)


def test_an_intact_trail_verifies_and_prints_its_size_and_head(trail):
    output = verify()
    count = AuditEvent.objects.count()
    seq, digest = verification.head()
    assert seq == count == trail[-1].seq
    assert f"The audit trail is intact: {count} events, head {seq}:{digest}." in output
    assert "The sealed audit trail is intact: 0 events" in output


def test_an_empty_trail_verifies(db):
    assert "intact: 0 events" in verify()


def test_each_chain_numbers_its_own_events_with_no_gaps(sealed_trail):
    """The hub's numbers must not jump where a sealed event was written: N, then N+1, whatever happened between."""
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 7 + 5 + 1))
    assert list(SealedAuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert not AuditEvent.objects.filter(sealed=True).exists()
    assert [e.seq for e in sealed_trail] == [1, 2, 3, 4, 5]


def test_both_chains_verify_and_print_their_heads(sealed_trail):
    output = verify()
    main_seq, main_digest = verification.head(MAIN)
    sealed_seq, sealed_digest = verification.head(SEALED)
    assert f"The audit trail is intact: {main_seq} events, head {main_seq}:{main_digest}." in output
    assert f"The sealed audit trail is intact: 5 events, head {sealed_seq}:{sealed_digest}." in output
    assert (sealed_seq, sealed_digest) == (5, sealed_trail[-1].hash)


def test_an_altered_sealed_event_is_found_and_the_sealed_chain_named(sealed_trail):
    drop_append_only_triggers(SEALED)
    target = sealed_trail[2]
    SealedAuditEvent.objects.filter(pk=target.pk).update(actor_username="someone-else")

    seq, message = broken_at(chain="sealed audit trail")

    assert seq == target.seq
    assert f"The sealed audit trail is broken at event {target.seq}: event {target.seq} was altered" in message
    assert "The audit trail is broken" not in message, "the hub's chain is intact"


def test_a_removed_sealed_event_is_found(sealed_trail):
    drop_append_only_triggers(SEALED)
    SealedAuditEvent.objects.filter(seq=3).delete()

    seq, message = broken_at(chain="sealed audit trail")

    assert seq == 3
    assert "event 3 is missing" in message


def test_a_sealed_event_rehashed_after_alteration_is_found(sealed_trail):
    drop_append_only_triggers(SEALED)
    event = SealedAuditEvent.objects.get(seq=2)
    event.reason = "nothing to see"
    event.hash = event.compute_hash()
    SealedAuditEvent.objects.filter(pk=event.pk).update(reason=event.reason, hash=event.hash)
    assert broken_at(chain="sealed audit trail")[0] == 2


def test_cutting_off_the_sealed_chain_is_caught_by_its_published_head(sealed_trail):
    published = f"5:{sealed_trail[-1].hash}"
    assert "intact" in verify(sealed_anchors=(published,))
    drop_append_only_triggers(SEALED)
    SealedAuditEvent.objects.filter(seq__gte=4).delete()
    assert "intact" in verify()
    seq, message = broken_at(sealed_anchors=(published,), chain="sealed audit trail")
    assert seq == 5
    assert "published earlier" in message


def test_an_anchor_is_checked_against_its_own_chain(sealed_trail):
    """The hub's head passed as the sealed anchor (or the other way round) is a rewritten chain, not a pass."""
    main_head = "{}:{}".format(*verification.head(MAIN))
    with pytest.raises(CommandError, match="sealed audit trail is broken"):
        verify(sealed_anchors=(main_head,))


def test_both_broken_chains_are_named(sealed_trail):
    drop_append_only_triggers(MAIN)
    drop_append_only_triggers(SEALED)
    AuditEvent.objects.filter(seq=4).update(reason="x")
    SealedAuditEvent.objects.filter(seq=2).update(reason="x")
    assert broken_at(chain="audit trail")[0] == 4
    assert broken_at(chain="sealed audit trail")[0] == 2


def test_a_malformed_sealed_anchor_is_an_error_not_a_pass(sealed_trail):
    with pytest.raises(CommandError, match="--sealed-anchor must be SEQ:HASH"):
        verify(sealed_anchors=("5:nothex",))


ALTERATIONS = {
    "reason": "nothing to see",
    "actor_username": "someone-else",
    "actor_id": 42,
    "organisations": "metropolitan-police",
    "action": Action.SEARCH,
    "object_type": "case",
    "object_id": "CH-ZZZZ-ZZZZ",
    "survivor_id": 999,
    "changes": {"fields": ["status"], "n": 99},
    "prev_hash": "f" * 64,
}


@pytest.mark.parametrize("field", [*ALTERATIONS, "at", "sealed"])
def test_altering_any_field_of_one_event_names_that_event(trail, field):
    drop_append_only_triggers()
    target = trail[3]
    computed = {"at": target.at - dt.timedelta(hours=1), "sealed": not target.sealed}
    value = computed[field] if field in computed else ALTERATIONS[field]
    AuditEvent.objects.filter(pk=target.pk).update(**{field: value})

    seq, message = broken_at()

    assert seq == target.seq
    assert f"event {target.seq} was altered" in message


def test_altering_an_event_and_recomputing_its_hash_still_names_that_event(trail):
    drop_append_only_triggers()
    rehash(trail[3].seq, reason="nothing to see", actor_username="someone-else")

    seq, message = broken_at()

    assert seq == trail[3].seq
    assert f"event {trail[3].seq} was altered" in message


def test_altering_the_first_event_names_it(trail):
    drop_append_only_triggers()
    rehash(trail[0].seq, object_id="CH-ZZZZ-ZZZZ")
    assert broken_at()[0] == trail[0].seq


def test_deleting_a_middle_event_names_the_missing_one(trail):
    drop_append_only_triggers()
    AuditEvent.objects.filter(seq=trail[3].seq).delete()

    seq, message = broken_at()

    assert seq == trail[3].seq
    assert f"event {trail[3].seq} is missing" in message


def test_deleting_the_first_event_names_it(trail):
    drop_append_only_triggers()
    first = AuditEvent.objects.order_by("seq").first()
    first.delete()
    seq, message = broken_at()
    assert seq == first.seq
    assert "missing" in message


def test_relinking_the_chain_after_a_deletion_is_still_caught(trail):
    """Delete event k, point k+1 at k-1 and re-hash every later event: the chain links, but k's number is gone."""
    drop_append_only_triggers()
    removed = trail[3].seq
    AuditEvent.objects.filter(seq=removed).delete()
    prev_hash = AuditEvent.objects.get(seq=removed - 1).hash
    for event in AuditEvent.objects.filter(seq__gt=removed).order_by("seq"):
        rehash(event.seq, prev_hash=prev_hash)
        prev_hash = AuditEvent.objects.get(seq=event.seq).hash

    seq, message = broken_at()

    assert seq == removed
    assert f"event {removed} is missing" in message


def test_renumbering_after_a_deletion_is_caught_by_a_published_head(trail):
    """The one rewrite the chain cannot see on its own: delete, renumber and re-hash everything after. A head
    published before (printed by every successful verify) exposes it."""
    published = verify().rsplit("head ", 1)[1].rstrip(".\n")
    assert published == f"{trail[-1].seq}:{trail[-1].hash}"
    # Events keep arriving after the head was published; the old anchor still holds.
    audit.record(actor=None, action=Action.VIEW, object_type="case", object_id="7")
    assert "intact" in verify(published)

    drop_append_only_triggers()
    removed = trail[3].seq
    AuditEvent.objects.filter(seq=removed).delete()
    prev_hash = AuditEvent.objects.get(seq=removed - 1).hash
    for event in AuditEvent.objects.filter(seq__gt=removed).order_by("seq"):
        rehash(event.seq, seq=event.seq - 1, prev_hash=prev_hash)
        prev_hash = AuditEvent.objects.get(seq=event.seq - 1).hash

    assert "intact" in verify(), "without an anchor this rewrite is invisible: that is why heads are published"
    seq, message = broken_at(published)
    assert seq == trail[-1].seq
    assert "published earlier" in message


def test_cutting_off_the_newest_events_is_caught_by_a_published_head(trail):
    published = f"{trail[-1].seq}:{trail[-1].hash}"
    drop_append_only_triggers()
    AuditEvent.objects.filter(seq__gte=trail[-2].seq).delete()
    assert "intact" in verify()
    assert broken_at(published)[0] == trail[-1].seq


def test_a_malformed_anchor_is_an_error_not_a_pass(trail):
    with pytest.raises(CommandError, match="SEQ:HASH"):
        verify("7:nothex")
