"""Four eyes on the sealed pathway: a role an administrator gives in the independent advisory service's organisation
(whose records are those of survivors abused by police officers and staff) waits, and opens nothing, until a manager
of that service other than the administrator and the holder confirms it. The managers are told, without names."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carehub.accounts import policy, services
from carehub.accounts.models import Membership, Role, User
from carehub.audit.models import AuditEvent, EventType, SealedAuditEvent
from carehub.notifications.models import Kind, Notification
from tests.accounts.test_route_matrix import urls_to_try
from tests.factories import MembershipFactory


def fresh(user: User) -> User:
    """The user as a new request sees her (the policy keeps memberships on the user object for one request)."""
    return User.objects.get(pk=user.pk)


def sealed_visible(user: User, world) -> bool:
    user = fresh(user)
    referral, case = world.referrals["sealed"], world.cases["sealed"]
    return (
        policy.referrals_visible_to(user).filter(pk=referral.pk).exists()
        or policy.cases_visible_to(user).filter(pk=case.pk).exists()
        or policy.offers_visible_to(user).filter(referral__sealed=True).exists()
    )


def membership_events(membership: Membership, chain=AuditEvent) -> list[str]:
    """The membership's events in one chain: the hub's for the administrator's, the sealed one for what the
    independent service's managers do (everything they do is filed there: audit.services)."""
    return list(
        chain.objects.filter(object_type="membership", object_id=str(membership.pk))
        .order_by("seq")
        .values_list("event_type", flat=True)
    )


def grant(world, actor: str, holder: str, role: str = Role.INDEPENDENT_ADVISER) -> Membership:
    return services.membership_add(
        actor=world.users[actor], user=world.users[holder], organisation=world.orgs["ias"], role=role
    )


def decide(client, membership: Membership, decision: str, role: str | None = None):
    url = reverse("accounts:membership_decision", kwargs={"pk": membership.pk})
    return client.post(url, {"decision": decision, "role": role or membership.role})


def test_a_role_given_in_the_independent_service_waits_opens_nothing_then_opens_when_confirmed(world, client_for):
    alice = world.users["alice"]
    added = client_for("adam").post(
        reverse("administration:membership_add", kwargs={"pk": alice.pk}),
        {"organisation": world.orgs["ias"].pk, "role": Role.INDEPENDENT_ADVISER},
    )
    assert added.status_code == 302
    membership = Membership.objects.get(user=alice, organisation=world.orgs["ias"])
    assert (membership.is_active, membership.awaiting_confirmation) == (False, True)
    assert membership.requested_by == world.users["adam"]
    assert not sealed_visible(alice, world)
    assert membership not in policy.memberships(fresh(alice))
    sealed = world.referrals["sealed"]
    for url in (
        reverse("referrals:detail", kwargs={"reference": sealed.reference}),
        reverse("cases:detail", kwargs={"public_id": world.cases["sealed"].public_id}),
        reverse("independent:case", kwargs={"public_id": world.cases["sealed"].public_id}),
    ):
        assert client_for("alice").get(url).status_code == 404, url
    assert membership_events(membership) == [
        EventType.MEMBERSHIP_CREATED,
        EventType.MEMBERSHIP_CONFIRMATION_REQUESTED,
    ]

    # The independent service's manager, and nobody else, is told; the notice names nobody.
    notices = Notification.objects.filter(kind=Kind.MEMBERSHIP_PENDING)
    assert [n.recipient_id for n in notices] == [world.users["ivan"].pk]
    text = notices.get().text
    assert text == f"A role in {world.orgs['ias'].name} awaits your confirmation."
    assert "alice" not in text.lower() and alice.full_name not in text
    # His home lists it, with the way to confirm or refuse.
    link = reverse("accounts:membership_decision", kwargs={"pk": membership.pk})
    home = client_for("ivan").get(reverse("home")).content.decode()
    assert "awaiting your confirmation" in home and f'href="{link}"' in home
    assert notices.get().link == link
    page = client_for("ivan").get(link).content.decode()
    assert "Confirm the role" in page and "Refuse the role" in page and "alice" in page

    confirmed = decide(client_for("ivan"), membership, "confirm")
    assert confirmed.status_code == 302
    membership.refresh_from_db()
    assert (membership.is_active, membership.awaiting_confirmation) == (True, False)
    assert sealed_visible(alice, world)
    assert (
        client_for("alice").get(reverse("referrals:detail", kwargs={"reference": sealed.reference})).status_code == 200
    )
    assert membership_events(membership, SealedAuditEvent) == [EventType.MEMBERSHIP_CONFIRMED]
    event = SealedAuditEvent.objects.filter(event_type=EventType.MEMBERSHIP_CONFIRMED).get()
    assert event.actor_username == "ivan" and event.changes["requested_by"] == "adam"
    assert client_for("ivan").get(link).status_code == 404  # decided: nothing left to decide
    assert "awaiting your confirmation" not in client_for("ivan").get(reverse("home")).content.decode()


def test_a_refused_role_stays_shut(world, client_for):
    membership = grant(world, "adam", "alice")
    assert decide(client_for("ivan"), membership, "refuse").status_code == 302
    membership.refresh_from_db()
    assert (membership.is_active, membership.awaiting_confirmation) == (False, False)
    assert not sealed_visible(world.users["alice"], world)
    assert membership_events(membership, SealedAuditEvent) == [EventType.MEMBERSHIP_REFUSED]
    # Restoring it is a new request, for the service to decide again.
    client_for("adam").post(reverse("administration:membership_toggle", kwargs={"pk": membership.pk}))
    membership.refresh_from_db()
    assert (membership.is_active, membership.awaiting_confirmation) == (False, True)


def test_an_administrator_who_also_manages_the_independent_service_cannot_confirm_her_own_grant(world, client_for):
    zara = User.objects.create_user(username="zara", full_name="Zara Both")
    MembershipFactory(user=zara, organisation=world.orgs["hub"], role=Role.ADMINISTRATOR)
    MembershipFactory(user=zara, organisation=world.orgs["ias"], role=Role.SERVICE_MANAGER)
    world.users["zara"] = zara
    membership = grant(world, "zara", "alice")
    notified = set(Notification.objects.filter(kind=Kind.MEMBERSHIP_PENDING).values_list("recipient_id", flat=True))
    assert notified == {world.users["ivan"].pk}  # not zara, who asked
    zara_client = client_for("zara")
    assert "awaiting your confirmation" not in zara_client.get(reverse("home")).content.decode()
    assert zara_client.get(reverse("accounts:membership_decision", kwargs={"pk": membership.pk})).status_code == 404
    assert decide(zara_client, membership, "confirm").status_code == 404
    with pytest.raises(ValidationError):
        services.membership_decide(actor=zara, membership=membership, role=membership.role, confirm=True)
    membership.refresh_from_db()
    assert (membership.is_active, membership.awaiting_confirmation) == (False, True)
    assert not sealed_visible(world.users["alice"], world)
    # Another manager of the service can.
    assert decide(client_for("ivan"), membership, "confirm").status_code == 302
    assert sealed_visible(world.users["alice"], world)


def test_nobody_confirms_a_role_of_her_own(world, client_for):
    membership = grant(world, "adam", "ivan", role=Role.INDEPENDENT_ADVISER)
    assert not Notification.objects.filter(kind=Kind.MEMBERSHIP_PENDING).exists()  # ivan is the only manager
    assert decide(client_for("ivan"), membership, "confirm").status_code == 404
    with pytest.raises(ValidationError):
        services.membership_decide(actor=world.users["ivan"], membership=membership, role=membership.role, confirm=True)
    membership.refresh_from_db()
    assert membership.awaiting_confirmation and not membership.is_active


@pytest.mark.parametrize("persona", ["adam", "ines", "oona", "amara", "bea", "hana", "pete", "cora", "otto"])
def test_only_a_manager_of_the_independent_service_reaches_the_decision(world, client_for, persona):
    membership = grant(world, "adam", "alice")
    client = client_for(persona)
    url = reverse("accounts:membership_decision", kwargs={"pk": membership.pk})
    assert client.get(url).status_code == 404
    assert decide(client, membership, "confirm").status_code == 404
    membership.refresh_from_db()
    assert membership.awaiting_confirmation and not membership.is_active


def test_a_pending_member_sees_no_sealed_record_on_any_page(world, client_for):
    """The route matrix's walk of every URL, as alice with a pending adviser's and a pending manager's role."""
    grant(world, "adam", "alice", role=Role.INDEPENDENT_ADVISER)
    grant(world, "adam", "alice", role=Role.SERVICE_MANAGER)
    client = client_for("alice")
    marker = world.marker("sealed")
    for url, name, key in urls_to_try(world):
        response = client.get(url)
        assert marker not in response.content.decode(), f"a pending member saw the sealed record at {url}"
        if key == "sealed" or name == "accounts:membership_decision":
            assert response.status_code in {401, 404, 405}, url  # 401: the API wants a key, not a session
    assert not sealed_visible(world.users["alice"], world)


def test_an_invitation_into_the_independent_service_waits_for_confirmation(world):
    nadia, _ = services.user_invite(
        actor=world.users["adam"],
        username="nadia",
        full_name="Nadia Quill",
        email="nadia@example.org",
        organisation=world.orgs["ias"],
        role=Role.INDEPENDENT_ADVISER,
    )
    membership = nadia.memberships.get()
    assert (membership.is_active, membership.awaiting_confirmation) == (False, True)
    assert not sealed_visible(nadia, world)
    assert Notification.objects.filter(kind=Kind.MEMBERSHIP_PENDING, recipient=world.users["ivan"]).exists()


def test_changing_or_restoring_a_role_there_waits_too_and_the_old_role_stops_at_once(world, client_for):
    ines = world.users["ines"]
    membership = ines.memberships.get()
    assert sealed_visible(ines, world)
    client_for("adam").post(
        reverse("administration:membership_role", kwargs={"pk": membership.pk}), {"role": Role.SERVICE_MANAGER}
    )
    membership.refresh_from_db()
    assert (membership.role, membership.is_active, membership.awaiting_confirmation) == (
        Role.SERVICE_MANAGER,
        False,
        True,
    )
    assert not sealed_visible(ines, world)
    # An administrator changing it again meanwhile: the manager's answer to what she saw no longer applies.
    stale = decide(client_for("ivan"), membership, "confirm", role=Role.CASEWORKER)
    assert stale.status_code == 200 and "no longer waiting" in stale.content.decode()
    assert decide(client_for("ivan"), membership, "confirm").status_code == 302
    assert sealed_visible(ines, world)
    # Suspended, then restored: asked again.
    adam = client_for("adam")
    toggle = reverse("administration:membership_toggle", kwargs={"pk": membership.pk})
    adam.post(toggle)
    adam.post(toggle)
    membership.refresh_from_db()
    assert (membership.is_active, membership.awaiting_confirmation) == (False, True)
    assert not sealed_visible(ines, world)
    # The administrator withdraws the request: still shut, and nothing left for the manager.
    adam.post(toggle)
    membership.refresh_from_db()
    assert (membership.is_active, membership.awaiting_confirmation) == (False, False)
    assert membership_events(membership)[-1] == EventType.MEMBERSHIP_REQUEST_WITHDRAWN
    assert decide(client_for("ivan"), membership, "confirm").status_code == 404


def test_roles_elsewhere_take_effect_at_once(world):
    membership = services.membership_add(
        actor=world.users["adam"], user=world.users["alice"], organisation=world.orgs["sistah"], role=Role.CASEWORKER
    )
    assert membership.is_active and not membership.awaiting_confirmation
    assert not Notification.objects.filter(kind=Kind.MEMBERSHIP_PENDING).exists()


def test_the_database_refuses_a_pending_role_that_is_active(world):
    from django.db import IntegrityError, transaction

    membership = grant(world, "adam", "alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(is_active=True)
