"""Every event names its type (models.EventType), and the events written before types existed still verify.

The type was added to a trail that is hash-chained and append-only: the events already written cannot be rewritten,
so their hash input must come out byte for byte as it did. An untyped event is exactly what every event was before
migration 0005 (its column holds ""), so a trail of untyped events followed by typed ones is the upgraded trail.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carehub.audit import services as audit
from carehub.audit.models import Action, AuditEvent, EventType
from tests.audit.trail import drop_append_only_triggers

SRC = Path(__file__).resolve().parents[2] / "src" / "carehub"


def _event(**fields) -> AuditEvent:
    values = {
        "seq": 41,
        "at": dt.datetime(2026, 5, 17, 9, 30, 0, 123456, tzinfo=dt.UTC),
        "actor_id": 7,
        "actor_username": "adam",
        "organisations": "hub",
        "action": "update",
        "object_type": "case",
        "object_id": "CASE0001",
        "survivor_id": 12,
        "sealed": False,
        "reason": "",
        "changes": {"goal_added": "G0001"},
        "prev_hash": "a" * 64,
    }
    return AuditEvent(**(values | fields))


def test_an_event_without_a_type_hashes_as_it_did_before_types_existed():
    # Computed by the code of the commit before the type was added, from the same fields.
    assert _event().compute_hash() == "3d39861142e882fff6d6d5779583b2ac54e6237c55d8106028ea977a76032062"


def test_the_type_is_covered_by_the_hash():
    untyped = _event().compute_hash()
    typed = _event(event_type=EventType.GOAL_ADDED).compute_hash()
    assert typed != untyped
    assert _event(event_type=EventType.CASE_CLOSED).compute_hash() not in {typed, untyped}


def _verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def upgraded_trail(db) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """Three events as written before types existed, then three written with their types."""
    old = [
        audit.record(actor=None, action=Action.UPDATE, object_type="case", object_id=f"OLD{i}", changes={"n": i})
        for i in range(3)
    ]
    new = [
        audit.record(
            actor=None, action=Action.UPDATE, event=EventType.GOAL_ADDED, object_type="case", object_id=f"NEW{i}"
        )
        for i in range(3)
    ]
    return old, new


def test_a_trail_holding_events_from_before_types_verifies(upgraded_trail):
    old, new = upgraded_trail
    stored = dict(AuditEvent.objects.values_list("object_id", "event_type"))
    assert [stored[e.object_id] for e in old] == ["", "", ""]
    assert [stored[e.object_id] for e in new] == [EventType.GOAL_ADDED] * 3
    assert "The audit trail is intact: 6 events" in _verify()


@pytest.mark.parametrize(
    ("which", "forged"),
    [("old", EventType.CASE_CLOSED), ("new", EventType.CASE_CLOSED), ("new", "")],
    ids=["type given to an old event", "type changed", "type removed"],
)
def test_a_changed_type_breaks_the_chain(upgraded_trail, which, forged):
    old, new = upgraded_trail
    target = (old if which == "old" else new)[1]
    drop_append_only_triggers(audit.MAIN)
    AuditEvent.objects.filter(pk=target.pk).update(event_type=forged)
    with pytest.raises(CommandError) as caught:
        _verify()
    assert f"broken at event {target.seq}" in str(caught.value)


def _audit_calls_without_a_type() -> list[str]:
    missing = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if (
                isinstance(node, ast.Call)
                and isinstance(func, ast.Attribute)
                and func.attr in {"record", "record_for"}
                and isinstance(func.value, ast.Name)
                and func.value.id == "audit"
                and not any(k.arg == "event" for k in node.keywords)
            ):
                missing.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return missing


def test_every_caller_of_the_audit_service_names_the_event_type():
    calls = _audit_calls_without_a_type()
    assert calls == [], f"audit events without an EventType: {calls}"


def test_the_check_for_untyped_calls_would_see_one(tmp_path, monkeypatch):
    module = tmp_path / "carehub" / "x.py"
    module.parent.mkdir()
    module.write_text("audit.record_for(actor, Action.UPDATE, case, changes={})\n")
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "carehub")
    assert _audit_calls_without_a_type() == ["x.py:1"]
