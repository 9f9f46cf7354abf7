"""A failed sign-in to an independent adviser's account is hers: it goes to the sealed chain, not the hub's trail."""

from __future__ import annotations

from django.test import Client

from carehub.audit.models import AuditEvent, SealedAuditEvent


def _fail(username: str) -> None:
    Client().post("/accounts/sign-in/", {"username": username, "password": "not her password"})


def test_a_failed_sign_in_to_an_independent_account_is_on_the_sealed_chain(world):
    hub_before = AuditEvent.objects.count()
    _fail("ines")
    assert AuditEvent.objects.count() == hub_before
    assert SealedAuditEvent.objects.filter(action="sign_in_failed", object_id=str(world.users["ines"].pk)).exists()


def test_a_failed_sign_in_to_a_hub_account_stays_on_the_hubs_trail(world):
    _fail("alice")
    assert AuditEvent.objects.filter(action="sign_in_failed", object_id=str(world.users["alice"].pk)).exists()
    assert not SealedAuditEvent.objects.filter(action="sign_in_failed").exists()
