"""Linkage records: written with her identity (never on the sealed pathway), deleted when she is erased, and the
batch keyer used by the seeder gives exactly the keys the hub computes one by one."""

from __future__ import annotations

import pytest

from carehub.people import linkage_keys
from carehub.people.linkage_keys import BatchKeys, key_row
from carehub.people.models import Identity, LinkageRecord
from carehub.people.services import survivor_create, survivor_erase
from carehub.synthetic.linkage_records import generate
from tests.repeats.helpers import AMINA, intake


def stored(survivor_id: int) -> dict[str, str]:
    return LinkageRecord.objects.filter(survivor_id=survivor_id).values(*linkage_keys.KEY_FIELDS).get()


def test_a_new_referral_stores_her_keys_and_none_of_her_details(world):
    referral = intake(AMINA)
    record = stored(referral.survivor_id)
    assert record == linkage_keys.linkage_keys(AMINA)
    text = " ".join(record.values()).lower()
    for plain in ("amina", "okonkwo", "1987", "900123", "mile", "e14ns", "example"):
        assert plain not in text


def test_the_sealed_pathway_stores_no_keys(world):
    referral = intake(AMINA, police=True)
    assert referral.sealed
    assert not LinkageRecord.objects.filter(survivor_id=referral.survivor_id).exists()


def test_keys_are_written_in_the_same_transaction_as_the_identity(world, monkeypatch):
    """When anything in survivor_create fails after her keys are written, neither she nor her keys remain."""
    from carehub.people import services as people_services
    from carehub.people.models import Survivor

    def fail(*args, **kwargs):
        raise RuntimeError("the audit trail refused")

    monkeypatch.setattr(people_services.audit, "record_for", fail)
    survivors, records = Survivor.objects.count(), LinkageRecord.objects.count()
    with pytest.raises(RuntimeError):
        survivor_create(actor=None, identity=AMINA)
    assert (Survivor.objects.count(), LinkageRecord.objects.count()) == (survivors, records)


def test_erasing_her_deletes_her_keys_and_nobody_elses(world):
    mine, other = intake(AMINA), intake(AMINA)
    survivor_erase(actor=world.users["adam"], survivor=mine.survivor, reason="her request")
    assert not LinkageRecord.objects.filter(survivor_id=mine.survivor_id).exists()
    assert LinkageRecord.objects.filter(survivor_id=other.survivor_id).exists()


def test_blank_details_give_blank_keys(world):
    referral = intake(Identity(given_name="Ola"))
    record = stored(referral.survivor_id)
    assert record["given"] and record["given_metaphone"]
    assert all(record[f] == "" for f in ("family", "dob", "phone", "email", "postcode", "address", "names_metaphone"))


def test_batch_keys_equal_the_hubs_keys_one_by_one():
    batch = BatchKeys()
    identities = [Identity(**r.identity_fields()) for r in generate(600, seed=3)]
    identities += [Identity(), Identity(given_name="Zoë", family_name="O'Neil", postcode="not a postcode")]
    # Sector "E14" (of E1 4NS) and district "E14" (of E14 5AB) are different keys.
    identities += [Identity(postcode="E1 4NS"), Identity(postcode="E14 5AB"), Identity(postcode="E1 4NS")]
    for identity in identities + identities[:50]:  # the second time round, from the caches
        assert batch(identity) == linkage_keys.linkage_keys(identity), identity
    assert key_row(linkage_keys.linkage_keys(AMINA)) == tuple(
        linkage_keys.linkage_keys(AMINA)[f] for f in linkage_keys.KEY_FIELDS
    )


@pytest.mark.django_db
def test_the_seeder_stores_every_survivors_keys_except_on_the_sealed_pathway():
    import dataclasses
    import datetime as dt
    import io

    from django.core.management import call_command

    from carehub.people.models import Survivor
    from carehub.referrals.models import Referral
    from carehub.repeats.matching import suggest_matches

    call_command("seed", referrals=400, seed=5, end_date=dt.date(2026, 10, 31), stdout=io.StringIO())
    sealed = set(Referral.objects.filter(sealed=True).values_list("survivor_id", flat=True))
    assert sealed, "the seed should include the sealed pathway"
    survivors = list(Survivor.objects.select_related("data_key").order_by("pk"))
    records = {r["survivor_id"]: r for r in LinkageRecord.objects.values("survivor_id", *linkage_keys.KEY_FIELDS)}
    assert set(records) == {s.pk for s in survivors} - sealed
    for survivor in survivors[::7]:
        if survivor.pk not in sealed:
            expected = linkage_keys.linkage_keys(survivor.identity)
            assert {f: records[survivor.pk][f] for f in linkage_keys.KEY_FIELDS} == expected
    # A seeded woman referred again with a slip in her family name is found among them.
    woman = next(s for s in survivors if s.pk not in sealed and len(s.identity.family_name) >= 5)
    identity = woman.identity
    slipped = identity.family_name[:2] + identity.family_name[3:]
    new = intake(dataclasses.replace(identity, family_name=slipped, phone="07700 900876"))
    assert woman.pk in {s.survivor_id for s in suggest_matches(new)}


def test_the_keys_command_stores_keys_for_survivors_who_have_none(world):
    import io

    from django.core.management import call_command

    from carehub.audit.models import AuditEvent

    kept = intake(AMINA)
    erased = intake(AMINA)
    survivor_erase(actor=world.users["adam"], survivor=erased.survivor, reason="her request")
    LinkageRecord.objects.all().delete()  # as before Care Hub kept keys
    out = io.StringIO()
    call_command("repeats", "linkage-keys", stdout=out)
    stored_ids = set(LinkageRecord.objects.values_list("survivor_id", flat=True))
    unsealed = {r.survivor_id for key, r in world.referrals.items() if key != "sealed"}
    assert stored_ids == unsealed | {kept.survivor_id}
    assert stored(kept.survivor_id) == linkage_keys.linkage_keys(AMINA)
    assert f"Stored linkage keys for {len(stored_ids)} survivors." in out.getvalue()
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_type, event.changes["stored"]) == ("update", "linkagerecord", len(stored_ids))
    call_command("repeats", "keys", stdout=out)  # again, by its old name: nothing left to do
    assert LinkageRecord.objects.count() == len(stored_ids)
