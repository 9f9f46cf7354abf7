"""`carehub datakeys rotate` (old name `keys rotate`): every live data key re-wrapped under the newest key-encryption
key, erased keys left alone.

crypto caches its MultiFernet by the tuple of keys, so overriding settings.FIELD_KEYS takes effect at once.
"""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from carehub.audit.models import Action, AuditEvent
from carehub.people import crypto
from carehub.people.models import DataKey, Survivor
from carehub.people.services import data_keys_rotate, survivor_erase
from tests import factories as f
from tests.audit.trail import events_after, last_seq

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def survivors(settings) -> dict[str, Survivor]:
    """Three survivors under OLD_KEY, one of whom has been erased."""
    settings.FIELD_KEYS = [OLD_KEY]
    made = {name: f.SurvivorFactory(family_name=name) for name in ("Ayo", "Beth", "Cerys")}
    survivor_erase(actor=None, survivor=made["Cerys"], reason="Survivor asked for erasure")
    return made


def fresh(survivor: Survivor) -> Survivor:
    return Survivor.objects.select_related("data_key").get(pk=survivor.pk)


def rotate(command: str = "datakeys") -> str:
    out = io.StringIO()
    call_command(command, "rotate", stdout=out)
    return out.getvalue()


def test_rotation_rewraps_every_live_key_under_the_new_key(settings, survivors):
    settings.FIELD_KEYS = [NEW_KEY, OLD_KEY]
    before = last_seq()

    assert "Re-wrapped 2 data keys" in rotate()

    # The new key alone opens every identity that was not erased ...
    settings.FIELD_KEYS = [NEW_KEY]
    for name in ("Ayo", "Beth"):
        assert fresh(survivors[name]).identity.family_name == name
    assert fresh(survivors["Cerys"]).identity is None
    # ... and the old key alone no longer opens a single re-wrapped key.
    settings.FIELD_KEYS = [OLD_KEY]
    for name in ("Ayo", "Beth"):
        with pytest.raises(crypto.KeyUnavailable):
            crypto.unseal(fresh(survivors[name]).data_key.wrapped, fresh(survivors[name]).identity_sealed)

    # The data itself was not re-encrypted, only its keys re-wrapped.
    for name in ("Ayo", "Beth"):
        assert bytes(fresh(survivors[name]).identity_sealed) == bytes(survivors[name].identity_sealed)
        assert fresh(survivors[name]).data_key.rotated_at is not None

    [event] = events_after(before)
    assert (event.action, event.object_type, event.changes["rotated"]) == (Action.KEY_ROTATION, "datakey", 2)


def test_an_erased_key_stays_erased(settings, survivors):
    settings.FIELD_KEYS = [NEW_KEY, OLD_KEY]
    rotate()
    key = DataKey.objects.get(pk=survivors["Cerys"].data_key_id)
    assert key.wrapped is None
    assert key.rotated_at is None
    assert key.destroyed_at is not None


def test_a_missing_old_key_is_not_mistaken_for_an_erasure(settings, survivors):
    """Dropping the old key before rotating must fail loudly, never show survivors as erased."""
    settings.FIELD_KEYS = [NEW_KEY]
    with pytest.raises(crypto.KeyUnavailable):
        _ = fresh(survivors["Ayo"]).identity
    before = last_seq()

    with pytest.raises(CommandError, match="Keep every old key"):
        rotate()

    settings.FIELD_KEYS = [OLD_KEY]
    assert fresh(survivors["Ayo"]).identity.family_name == "Ayo", "a failed rotation changes nothing"
    assert events_after(before) == []


def test_rotation_in_batches_reaches_every_key_and_audits_each_batch(settings, survivors):
    more = [f.SurvivorFactory() for _ in range(3)]
    settings.FIELD_KEYS = [NEW_KEY, OLD_KEY]
    before = last_seq()

    assert data_keys_rotate(actor=None, batch_size=2) == 5

    settings.FIELD_KEYS = [NEW_KEY]
    for survivor in [survivors["Ayo"], survivors["Beth"], *more]:
        assert fresh(survivor).identity is not None
    batches = [e.changes["rotated"] for e in events_after(before)]
    assert batches == [2, 2, 1]


def test_rotating_when_nothing_is_left_to_rotate_is_still_recorded(settings, db):
    settings.FIELD_KEYS = [NEW_KEY, OLD_KEY]
    assert "Re-wrapped 0 data keys" in rotate()
    assert "Re-wrapped 0 data keys" in rotate("keys")  # the old name operators know still runs it
    assert AuditEvent.objects.filter(action=Action.KEY_ROTATION, changes__rotated=0).exists()


def test_survivors_created_during_the_changeover_open_with_the_new_key(settings, survivors):
    settings.FIELD_KEYS = [NEW_KEY, OLD_KEY]
    newcomer = f.SurvivorFactory(family_name="Dara")
    settings.FIELD_KEYS = [NEW_KEY]
    assert fresh(newcomer).identity.family_name == "Dara"
