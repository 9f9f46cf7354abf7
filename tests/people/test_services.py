"""Writes to survivors and their audit events commit or roll back together."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.core import public_ids
from carehub.people.models import DataKey, Identity, Survivor
from carehub.people.services import survivor_create, survivor_erase
from tests import factories as f
from tests.audit.trail import described, events_after, last_seq, refuse_audit_writes

pytestmark = pytest.mark.django_db

IDENTITY = Identity(given_name="Nadia", family_name="Okonkwo", date_of_birth=dt.date(1992, 2, 29), phone="07700 900222")


class Boom(Exception):
    pass


def counts() -> tuple[int, int, int, int]:
    return (
        Survivor.objects.count(),
        DataKey.objects.count(),
        AuditEvent.objects.count(),
        SealedAuditEvent.objects.count(),
    )


@pytest.fixture
def audit_unavailable(monkeypatch):
    """The audit table refuses writes (disk full, lost connection ...)."""
    refuse_audit_writes(monkeypatch)


def test_creating_a_survivor_is_audited_without_personal_values():
    caseworker = f.MembershipFactory(role="caseworker").user
    before = last_seq()
    survivor = survivor_create(
        actor=caseworker, identity=IDENTITY, equality={"ethnicity": "asian_indian", "religion": "hindu"}
    )
    [event] = events_after(before)
    assert described(event) == {
        "actor_id": caseworker.pk,
        "actor_username": caseworker.username,
        "organisations": caseworker.memberships.get().organisation.slug,
        "action": "create",
        "object_type": "survivor",
        "object_id": survivor.public_id,
        "survivor_id": survivor.pk,
        "sealed": False,
        "reason": "",
    }
    assert event.changes == {"equality_fields": ["ethnicity", "religion"]}, "names of fields, never the answers"


def test_a_survivor_created_for_the_sealed_pathway_is_audited_in_the_sealed_chain_only():
    before = AuditEvent.objects.count()
    survivor = survivor_create(actor=None, identity=IDENTITY, sealed=True)
    assert SealedAuditEvent.objects.get(survivor_id=survivor.pk).sealed is True
    assert AuditEvent.objects.count() == before, "the hub's chain must not even count her"


def test_each_survivor_gets_a_random_public_id_that_says_nothing_about_order():
    """Keys come from a sequence shared with sealed survivors; the public id shown instead must not."""
    survivors = [survivor_create(actor=None, identity=IDENTITY) for _ in range(5)]
    ids = [s.public_id for s in survivors]
    assert len(set(ids)) == 5
    for public_id in ids:
        assert len(public_id) == public_ids.LENGTH
        assert set(public_id) <= set(public_ids.ALPHABET)
    assert dict(Survivor.objects.filter(public_id__in=ids).values_list("pk", "public_id")) == {
        s.pk: s.public_id for s in survivors
    }


def test_a_create_that_fails_leaves_no_survivor_no_key_and_no_event():
    before = counts()
    with pytest.raises(ValidationError):
        survivor_create(actor=None, identity=IDENTITY, equality={"ethnicity": "martian"})
    assert counts() == before


def test_unknown_equality_fields_are_refused_before_anything_is_written():
    before = counts()
    with pytest.raises(ValueError, match="not equality fields"):
        survivor_create(actor=None, identity=IDENTITY, equality={"given_name": "Nadia"})
    assert counts() == before


def test_a_create_whose_audit_event_cannot_be_written_does_not_happen(audit_unavailable):
    before = counts()
    with pytest.raises(DatabaseError):
        survivor_create(actor=None, identity=IDENTITY)
    assert counts() == before


def test_the_event_rolls_back_with_the_transaction_it_was_written_in():
    """The event joins the caller's transaction; it is not committed on the side."""
    before = counts()
    with pytest.raises(Boom), transaction.atomic():
        survivor_create(actor=None, identity=IDENTITY)
        raise Boom
    assert counts() == before


def test_an_erasure_whose_audit_event_cannot_be_written_does_not_happen(monkeypatch):
    survivor = survivor_create(actor=None, identity=IDENTITY)
    before = counts()
    refuse_audit_writes(monkeypatch)
    with pytest.raises(DatabaseError):
        survivor_erase(actor=None, survivor=survivor, reason="Survivor asked for erasure")

    assert counts() == before
    again = Survivor.objects.select_related("data_key").get(pk=survivor.pk)
    assert again.identity == IDENTITY
    assert not again.is_erased
    assert again.phone_lookup != ""
