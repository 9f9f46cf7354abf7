"""Decline reasons are coded (unmet need counted by cause): the service and form insist on a code, "other" needs
words, and the migration keeps every existing free-text reason, as "other" with its words."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from carehub.referrals import services
from carehub.referrals.forms import DeclineForm
from carehub.referrals.models import DeclineReason, Offer
from carehub.referrals.services import ReferralError
from tests.migration_chain import old_chain_executor
from tests.world import build_world


def test_the_form_needs_a_code_and_words_for_other():
    assert not DeclineForm({"reason": "No capacity this month"}).is_valid()
    assert DeclineForm({"reason": "no_capacity"}).is_valid()
    other = DeclineForm({"reason": "other", "detail": " "})
    assert not other.is_valid() and "detail" in other.errors
    assert DeclineForm({"reason": "other", "detail": "Service closing"}).is_valid()


def test_the_service_records_the_code_and_refuses_free_text(world):
    from tests.referrals.test_workflow import offer

    made = offer(world, world.referrals["triage"])
    with pytest.raises(ReferralError):
        services.offer_decline(actor=world.users["bea"], offer=made, reason="No capacity this month")
    with pytest.raises(ReferralError):
        services.offer_decline(actor=world.users["bea"], offer=made, reason="other", detail=" ")
    services.offer_decline(actor=world.users["bea"], offer=made, reason="other", detail="Service closing")
    made.refresh_from_db()
    assert (made.decline_reason, made.decline_detail) == (DeclineReason.OTHER, "Service closing")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="migrations run inside the test transaction")
def test_existing_free_text_becomes_other_with_its_words():
    world = build_world()
    now = timezone.now()
    executor = old_chain_executor(connection)  # 0008 itself: the squash leaves its copy out
    executor.migrate([("referrals", "0006_queue_keyset_indexes")])
    old = executor.loader.project_state([("referrals", "0006_queue_keyset_indexes")]).apps.get_model(
        "referrals", "Offer"
    )
    service_id = world.services["solace"].pk
    words = "No capacity this month, and a very long explanation " * 5
    declined = old.objects.create(
        referral_id=world.referrals["triage"].pk,
        service_id=service_id,
        status="declined",
        offered_at=now,
        decline_reason=words,
        public_id="MIGRATE00001",
    )
    accepted = old.objects.create(
        referral_id=world.referrals["triage"].pk,
        service_id=service_id,
        status="accepted",
        offered_at=now,
        public_id="MIGRATE00002",
    )
    with connection.cursor() as cursor:
        # As if these rows had been committed before the migration (see tests/core/test_public_id_migrations.py):
        # their deferred foreign-key checks run now; anything the migration leaves pending still stops its ALTER.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    executor = old_chain_executor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Offer.objects.filter(pk=declined.pk).values_list("decline_reason", "decline_detail").get() == (
        "other",
        words,
    )
    assert Offer.objects.filter(pk=accepted.pk).values_list("decline_reason", "decline_detail").get() == ("", "")
