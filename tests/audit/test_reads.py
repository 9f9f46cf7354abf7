"""Every read of a person-level record writes one "view" event naming who, for which organisations, what and whose.

The expectations are written out by hand (tests/world.py and below), not derived from the policy.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from carehub.accounts import policy
from carehub.audit.models import AuditEvent, SealedAuditEvent
from tests import factories as f
from tests.audit.trail import described, events_after, last_seq, named, refuse_audit_writes
from tests.world import MAY_SEE_CONTENT, ORGANISATIONS, PERSONAS

MAY_OPEN_CASE = {
    "solace": {"alice", "amara"},
    "sistah": {"bola", "bea"},
    "sealed": {"ines", "ivan"},
}


def _org_slug(persona: str) -> str:
    return ORGANISATIONS[PERSONAS[persona][0]][0]


def _view_of(world, persona: str, object_type: str, object_id: str, survivor_id: int, sealed: bool) -> dict:
    user = world.users[persona]
    return {
        "actor_id": user.pk,
        "actor_username": persona,
        "organisations": _org_slug(persona),
        "action": "view",
        "object_type": object_type,
        "object_id": object_id,
        "survivor_id": survivor_id,
        "sealed": sealed,
        "reason": "",
    }


REFERRAL_READS = [(record, persona) for record, allowed in MAY_SEE_CONTENT.items() for persona in sorted(allowed)]
CASE_READS = [(record, persona) for record, allowed in MAY_OPEN_CASE.items() for persona in sorted(allowed)]


@pytest.mark.parametrize(("record", "persona"), REFERRAL_READS)
def test_opening_a_referral_writes_exactly_one_view_event(world, client_for, record, persona):
    referral = world.referrals[record]
    client = client_for(persona)
    before = last_seq()

    response = client.get(reverse("referrals:detail", kwargs={"reference": referral.reference}))

    assert response.status_code == 200
    view, *more = [described(e) for e in events_after(before)]
    assert view == _view_of(world, persona, "referral", referral.reference, referral.survivor_id, referral.sealed)
    if not policy.can_decide_repeats(world.users[persona]) or referral.sealed:
        assert more == []
        return
    # A hub worker's page also searches for earlier referrals of the same person: the search is one event, and each
    # earlier referral it shows is one view, naming why it was shown.
    search, *suggested = more
    assert {k: search[k] for k in ("action", "object_type", "object_id")} == {
        "action": "search",
        "object_type": "referral",
        "object_id": referral.reference,
    }
    assert all(e["action"] == "view" and e["reason"].startswith("suggested as a possible") for e in suggested)


@pytest.mark.parametrize(("record", "persona"), CASE_READS)
def test_opening_a_case_writes_exactly_one_view_event(world, client_for, record, persona):
    case = world.cases[record]
    client = client_for(persona)
    before = last_seq()

    response = client.get(reverse("cases:detail", kwargs={"public_id": case.public_id}))

    assert response.status_code == 200
    assert [described(e) for e in events_after(before)] == [
        _view_of(world, persona, "case", named(case), case.survivor_id, case.sealed)
    ]


def test_each_read_is_recorded_again(world, client_for):
    """Not "first access only": an auditor must be able to count how often a record was opened."""
    client = client_for("alice")
    url = reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id})
    before = last_seq()
    for _ in range(3):
        client.get(url)
    assert [e.action for e in events_after(before)] == ["view"] * 3


@pytest.mark.parametrize("record", list(MAY_SEE_CONTENT))
def test_a_refused_read_claims_no_view(world, client_for, record):
    """A 404 shows nothing, so the trail must not say the record was viewed (nor by whom it could have been)."""
    referral = world.referrals[record]
    for persona in sorted(set(PERSONAS) - MAY_SEE_CONTENT[record]):
        client = client_for(persona)
        before = last_seq()
        response = client.get(reverse("referrals:detail", kwargs={"reference": referral.reference}))
        assert response.status_code == 404, persona
        assert not [e for e in events_after(before) if e.action == "view"], persona


def test_a_read_whose_audit_event_cannot_be_written_shows_nothing(world, monkeypatch):
    """No event, no read: if the trail cannot record the view, the page must not be served."""
    referral = world.referrals["solace"]
    client = Client(raise_request_exception=False)
    client.force_login(world.users["hana"])
    before = last_seq()
    refuse_audit_writes(monkeypatch)
    response = client.get(reverse("referrals:detail", kwargs={"reference": referral.reference}))

    assert response.status_code == 500
    assert world.marker("solace").encode() not in response.content
    assert events_after(before) == []


def test_opening_a_survivor_through_the_policy_is_recorded(world):
    survivor = world.referrals["sistah"].survivor
    before = last_seq()
    policy.get_survivor_for_user(world.users["bea"], survivor.pk, reason="checking a repeat referral")
    [event] = events_after(before)
    assert described(event) == {
        **_view_of(world, "bea", "survivor", survivor.public_id, survivor.pk, False),
        "reason": "checking a repeat referral",
    }


def test_an_event_about_a_sealed_survivor_is_sealed(world):
    """Survivors carry no sealed flag, but "ines looked at survivor N" would tell the hub that N reported an officer."""
    survivor = world.referrals["sealed"].survivor
    before = last_seq()
    policy.get_survivor_for_user(world.users["ines"], survivor.pk)
    [event] = events_after(before)
    assert isinstance(event, SealedAuditEvent)
    assert event.sealed is True
    assert event.survivor_id == survivor.pk
    assert last_seq().main == before.main, "the hub's chain does not move"


def test_organisations_name_only_active_memberships(world, client_for):
    """A membership that was switched off is not an organisation the user acted for."""

    f.MembershipFactory(
        user=world.users["alice"], organisation=world.orgs["sistah"], role="caseworker", is_active=False
    )
    client = client_for("alice")
    before = last_seq()
    client.get(reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id}))
    [event] = events_after(before)
    assert event.organisations == "quaymarsh-womens-service"


def test_no_personal_value_enters_the_trail(world, client_for):
    """Events name records by number or reference; never a survivor's name, email, phone or postcode."""
    for persona in ("hana", "alice", "bola", "ines"):
        client = client_for(persona)
        for referral in world.referrals.values():
            client.get(reverse("referrals:detail", kwargs={"reference": referral.reference}))
    needles = []
    for referral in world.referrals.values():
        identity = referral.survivor.identity
        needles += [identity.family_name, identity.given_name, identity.email, identity.phone, identity.postcode]
    for event in [*AuditEvent.objects.all(), *SealedAuditEvent.objects.all()]:
        text = event.canonical().decode().casefold()
        for needle in needles:
            assert needle.casefold() not in text, (event.seq, needle)
