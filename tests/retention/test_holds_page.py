"""The legal holds page: hub managers hold the hub's survivors, the independent service's managers the sealed
pathway's, nobody else reaches it, and a hold on the other side of the seal answers as a reference that does not
exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carehub.audit.models import AuditEvent, EventType, SealedAuditEvent
from carehub.retention import services
from carehub.retention.models import LegalHold
from carehub.retention.views import NOT_FOUND
from tests.world import PERSONAS

REASON = "Domestic homicide review opened by the community safety partnership"


@pytest.fixture
def hilda(world):
    """The world's hub manager: a service manager of the hub organisation."""
    return world.users["hilda"]


@pytest.fixture
def hub_manager(client_for):
    return client_for("hilda")


def place(client, reference: str, reason: str = REASON):
    return client.post(reverse("retention:holds"), {"reference": reference, "reason": reason})


def test_a_hub_manager_places_a_hold_and_it_is_audited(world, hub_manager, hilda):
    survivor = world.referrals["solace"].survivor
    response = place(hub_manager, world.referrals["solace"].reference.lower())
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.survivor_id, hold.placed_by, hold.reason, hold.sealed) == (survivor.pk, hilda, REASON, False)
    assert services.on_legal_hold(survivor)
    event = AuditEvent.objects.get(event_type=EventType.LEGAL_HOLD_PLACED)
    # The reason stays on the hold (blanked if she is erased); the trail, which can never be blanked, has the fact.
    assert (event.object_id, event.survivor_id, event.actor_id, event.reason) == (
        hold.public_id, survivor.pk, hilda.pk, ""
    )  # fmt: skip
    page = hub_manager.get(reverse("retention:holds"))
    assert world.referrals["solace"].reference in page.text
    assert world.marker("solace") not in page.text


def test_lifting_is_recorded_on_the_hold(world, hub_manager, hilda):
    place(hub_manager, world.referrals["solace"].reference)
    hold = LegalHold.objects.get()
    url = reverse("retention:lift", kwargs={"public_id": hold.public_id})
    assert hub_manager.get(url).status_code == 200
    assert hub_manager.post(url, {"reason": "short"}).status_code == 400
    assert hub_manager.post(url, {"reason": "The review has published its report"}).status_code == 302
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason) == (hilda, "The review has published its report")
    assert hold.lifted_at is not None
    assert not services.on_legal_hold(hold.survivor)
    assert AuditEvent.objects.filter(event_type=EventType.LEGAL_HOLD_LIFTED, object_id=hold.public_id).exists()
    assert hub_manager.get(url).status_code == 404  # a lifted hold has nothing left to lift


def test_a_hub_manager_cannot_hold_a_sealed_survivor(world, hub_manager):
    response = place(hub_manager, world.referrals["sealed"].reference)
    assert response.status_code == 400
    assert NOT_FOUND in response.text
    assert place(hub_manager, "CH-ZZZZ-ZZZZ").text.count(NOT_FOUND) == response.text.count(NOT_FOUND)
    assert not LegalHold.objects.exists()


def test_the_independent_service_holds_its_own_and_its_holds_stay_out_of_the_hub(world, client_for, hub_manager):
    ivan = client_for("ivan")
    assert place(ivan, world.referrals["solace"].reference).status_code == 400
    assert place(ivan, world.referrals["sealed"].reference).status_code == 302
    hold = LegalHold.objects.get()
    assert hold.sealed
    assert SealedAuditEvent.objects.filter(event_type=EventType.LEGAL_HOLD_PLACED, object_id=hold.public_id).exists()
    assert not AuditEvent.objects.filter(object_id=hold.public_id).exists()
    assert world.referrals["sealed"].reference in ivan.get(reverse("retention:holds")).text
    assert world.referrals["sealed"].reference not in hub_manager.get(reverse("retention:holds")).text
    url = reverse("retention:lift", kwargs={"public_id": hold.public_id})
    assert hub_manager.get(url).status_code == 404


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"ivan", "hilda"}))
def test_no_one_else_reaches_the_page(world, client_for, persona):
    assert client_for(persona).get(reverse("retention:holds")).status_code == 404


def test_a_reason_is_required(world, hub_manager):
    response = place(hub_manager, world.referrals["solace"].reference, reason="  ")
    assert response.status_code == 400
    assert not LegalHold.objects.exists()


def test_the_managers_homes_link_to_the_page(world, hub_manager, client_for):
    for client in (hub_manager, client_for("ivan")):
        assert reverse("retention:holds") in client.get(reverse("home")).text
    for persona in ("amara", "bea", "hana"):
        assert reverse("retention:holds") not in client_for(persona).get(reverse("home")).text
