"""Erasure destroys a survivor's data key: her identity is gone everywhere it was sealed, and only statistics remain."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from carehub.people.models import DataKey, Survivor
from carehub.people.services import survivor_erase
from tests.audit.trail import described, events_after, last_seq

REASON = "Survivor asked for her data to be erased (UK GDPR Article 17)"


def fresh(survivor: Survivor) -> Survivor:
    return Survivor.objects.select_related("data_key").get(pk=survivor.pk)


@pytest.fixture
def erased(world) -> Survivor:
    """The Quaymarsh survivor, with sealed contact details on her referral, erased by her service's manager."""
    referral = world.referrals["solace"]
    referral.contact_sealed = referral.survivor.seal_for({"safe_phone": "07700 900111", "instructions": "text only"})
    referral.save(update_fields=["contact_sealed"])
    survivor = referral.survivor
    assert survivor.email_lookup and survivor.phone_lookup and survivor.name_dob_lookup
    survivor_erase(actor=world.users["amara"], survivor=survivor, reason=REASON)
    return survivor


def test_erasure_destroys_the_data_key(erased):
    key = DataKey.objects.get(pk=erased.data_key_id)
    assert key.wrapped is None
    assert key.destroyed_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT wrapped FROM people_datakey WHERE id = %s", [erased.data_key_id])
        assert cursor.fetchone() == (None,)


def test_the_identity_is_gone_everywhere_it_was_sealed(world, erased):
    assert erased.identity is None
    assert fresh(erased).identity is None
    assert fresh(erased).is_erased
    referral = (
        type(world.referrals["solace"])
        .objects.select_related("survivor__data_key")
        .get(pk=world.referrals["solace"].pk)
    )
    assert referral.survivor.identity is None
    assert referral.survivor.unseal(referral.contact_sealed) is None


@pytest.mark.parametrize(
    ("persona", "url_name", "kwargs"),
    [
        ("hana", "referrals:detail", lambda w: {"reference": w.referrals["solace"].reference}),
        ("amara", "referrals:detail", lambda w: {"reference": w.referrals["solace"].reference}),
        ("alice", "cases:detail", lambda w: {"public_id": w.cases["solace"].public_id}),
    ],
)
def test_pages_say_the_identity_has_been_erased(world, erased, client_for, persona, url_name, kwargs):
    response = client_for(persona).get(reverse(url_name, kwargs=kwargs(world)))
    assert response.status_code == 200
    assert "identity has been erased" in response.text
    assert "Solacemarker" not in response.text
    # What remains is anonymous statistics: equality monitoring is still there.
    assert "Black, Black British, Caribbean or African: African" in response.text


def test_she_can_no_longer_be_found_by_email_phone_or_name(erased):
    survivor = fresh(erased)
    assert (survivor.email_lookup, survivor.phone_lookup, survivor.name_dob_lookup) == ("", "", "")
    assert survivor.ethnicity == "black_african"


def test_other_survivors_are_untouched(world, erased):
    for record in ("triage", "sistah", "sealed"):
        assert fresh(world.referrals[record].survivor).identity.family_name == world.marker(record)


def test_erasure_is_audited_with_its_reason(world):
    survivor = world.referrals["solace"].survivor
    before = last_seq()
    survivor_erase(actor=world.users["amara"], survivor=survivor, reason=REASON)
    assert [described(e) for e in events_after(before)] == [
        {
            "actor_id": world.users["amara"].pk,
            "actor_username": "amara",
            "organisations": "quaymarsh-womens-service",
            "action": "erase",
            "object_type": "survivor",
            "object_id": survivor.public_id,
            "survivor_id": survivor.pk,
            "sealed": False,
            "reason": REASON,
        }
    ]


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_reason_is_required_and_nothing_happens_without_one(world, reason):
    survivor = world.referrals["solace"].survivor
    before = last_seq()
    with pytest.raises(ValueError, match="reason"):
        survivor_erase(actor=world.users["amara"], survivor=survivor, reason=reason)
    assert fresh(survivor).identity.family_name == "Solacemarker"
    assert fresh(survivor).email_lookup == survivor.email_lookup != ""
    assert events_after(before) == []
