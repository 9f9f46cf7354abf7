"""The access policy's selectors, persona by persona, against expectations written out by hand."""

from __future__ import annotations

import pytest

from carehub.accounts import policy
from carehub.referrals.models import Status
from tests import factories as f
from tests.world import MAY_SEE_CONTENT, PERSONAS


def visible_referral_keys(world, username):
    visible = set(policy.referrals_visible_to(world.users[username]).values_list("pk", flat=True))
    return {key for key, r in world.referrals.items() if r.pk in visible}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_referral_content_scope_matches_the_rules(world, persona):
    expected = {key for key, allowed in MAY_SEE_CONTENT.items() if persona in allowed}
    assert visible_referral_keys(world, persona) == expected


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_no_persona_sees_every_referral(world, persona):
    assert visible_referral_keys(world, persona) != set(world.referrals)


def test_a_caseworker_sees_only_cases_allocated_to_them(world):
    assert list(policy.cases_visible_to(world.users["alice"])) == [world.cases["solace"]]
    assert list(policy.cases_visible_to(world.users["amir"])) == []


def test_a_manager_sees_all_of_their_own_services_cases_and_no_other(world):
    assert list(policy.cases_visible_to(world.users["amara"])) == [world.cases["solace"]]
    assert list(policy.cases_visible_to(world.users["bea"])) == [world.cases["sistah"]]


def test_membership_of_two_organisations_does_not_mix_their_scopes(world):
    """alice also joins Kestrel Rise as a caseworker: she sees her Kestrel Rise cases, not all of Kestrel Rise's."""
    f.MembershipFactory(user=world.users["alice"], organisation=world.orgs["sistah"], role="caseworker")
    user = type(world.users["alice"]).objects.get(pk=world.users["alice"].pk)
    assert set(policy.cases_visible_to(user)) == {world.cases["solace"]}


def test_a_police_membership_taints_every_other_membership(world):
    """A hub worker who also holds a police membership sees nothing: the strictest rule wins."""
    f.MembershipFactory(user=world.users["hana"], organisation=world.orgs["met"], role="referrer")
    user = type(world.users["hana"]).objects.get(pk=world.users["hana"].pk)
    assert not policy.referrals_visible_to(user).exists()
    assert not policy.can_see_immigration_status(user)


def test_the_police_referrer_learns_only_that_a_sealed_referral_was_received(world):
    sealed = world.referrals["sealed"]
    code, label = policy.referral_status_for_sender(world.orgs["met"], sealed.reference)
    assert sealed.status == Status.ACCEPTED
    assert (code, label) == ("received", "Received")
    assert sealed not in policy.referrals_sent_by(world.users["percy"])
    assert world.referrals["triage"] in policy.referrals_sent_by(world.users["percy"])


def test_another_organisation_cannot_ask_the_status_of_a_referral_it_did_not_send(world):
    from django.http import Http404

    with pytest.raises(Http404):
        policy.referral_status_for_sender(world.orgs["nhs"], world.referrals["triage"].reference)


def test_immigration_status_is_for_roles_that_work_with_the_survivor_only(world):
    allowed = {u for u in PERSONAS if policy.can_see_immigration_status(world.users[u])}
    # hilda, the hub manager: her own status is in the pack she gives a woman who asks what is held about her.
    assert allowed == {"hana", "alice", "amir", "amara", "bola", "bea", "ines", "ivan", "hilda"}


def test_a_refuge_address_is_shown_to_its_own_organisation_only(world):
    refuge = world.services["refuge"]
    assert policy.service_address_visible(world.users["amara"], refuge)
    for outsider in ("hana", "bola", "percy", "cora", "adam"):
        assert not policy.service_address_visible(world.users[outsider], refuge)


def test_audit_events_about_sealed_records_are_for_the_independent_services_auditor(world, client_for):
    client_for("ines").get(f"/referrals/{world.referrals['sealed'].reference}/")
    client_for("hana").get(f"/referrals/{world.referrals['triage'].reference}/")
    otto = policy.audit_events_visible_to(world.users["otto"])
    oona = policy.sealed_audit_events_visible_to(world.users["oona"])
    assert otto.filter(object_id=world.referrals["triage"].reference).exists()
    assert not otto.filter(sealed=True).exists()
    assert not policy.sealed_audit_events_visible_to(world.users["otto"]).exists(), "the sealed chain is not his"
    assert oona.filter(object_id=world.referrals["sealed"].reference).exists()
    assert not oona.filter(sealed=False).exists()
    assert not policy.audit_events_visible_to(world.users["oona"]).exists(), "the hub's chain is not hers"
    for persona in ("adam", "ines", "ivan", "hana"):
        assert not policy.audit_events_visible_to(world.users[persona]).exists()
        assert not policy.sealed_audit_events_visible_to(world.users[persona]).exists()
