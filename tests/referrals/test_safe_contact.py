"""Issue 12: what she told us reaches the people who act on it, and only once they may act on it."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from carehub.accounts import policy
from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.cases import services as case_services
from carehub.referrals import services
from carehub.referrals.models import Referral

CONTACT = {
    "safe_contact": {
        "phone_ok": False,
        "text_ok": True,
        "email_ok": False,
        "voicemail_ok": False,
        "safe_times": "never call after 6pm",
        "safe_word": "BLUEBELL",
        "others_who_may_answer": "her mother-in-law",
    }
}


def with_contact(referral: Referral) -> Referral:
    referral.contact_sealed = referral.survivor.seal_for(CONTACT)
    referral.needs = ["idva", "legal_immigration"]
    referral.save()
    return referral


def offered(world) -> tuple[Referral, object]:
    referral = with_contact(world.referrals["triage"])
    offer = services.offer_create(
        actor=world.users["hana"],
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="IDVA with capacity in her borough",
    )
    return referral, offer


def panel(body: str) -> str:
    found = re.search(r'<section[^>]*data-testid="safe-contact".*?</section>', body, re.S)
    return found.group(0) if found else ""


def test_codes_read_as_words():
    rendered = Template('{% load labels %}{{ codes|labels:"need" }}').render(
        Context({"codes": ["idva", "legal_immigration"]})
    )
    assert rendered == "IDVA (independent domestic violence advocate); immigration legal advice"


def test_the_hub_sees_the_safe_contact_panel_and_the_read_is_audited(world, client_for):
    referral = with_contact(world.referrals["triage"])
    body = client_for("hana").get(reverse("referrals:detail", kwargs={"reference": referral.reference})).content
    shown = panel(body.decode())
    assert "BLUEBELL" in shown and "never call after 6pm" in shown and "her mother-in-law" in shown
    assert "govuk-warning-text" in shown and "Not safe: phone call, email, voicemail" in shown
    assert "never leave a message" in shown
    assert AuditEvent.objects.filter(
        object_id=referral.reference, reason="safe contact instructions", actor_username="hana"
    ).exists()
    assert "IDVA (independent domestic violence advocate); immigration legal advice" in body.decode()
    assert "legal_immigration" not in body.decode()


def test_before_accepting_a_service_sees_what_it_needs_to_decide_and_nothing_that_names_her(world, client_for):
    referral, offer = offered(world)
    amara = client_for("amara")
    for url in (
        reverse("offers:offer", kwargs={"public_id": offer.public_id}),
        reverse("referrals:detail", kwargs={"reference": referral.reference}),
    ):
        body = amara.get(url).content.decode()
        assert "Triagemarker" not in body and "BLUEBELL" not in body and not panel(body), url
        assert "Sexual orientation" not in body and "Immigration status" not in body, url
        assert "IDVA (independent domestic violence advocate)" in body and "Borough" in body, url
    assert not AuditEvent.objects.filter(reason="safe contact instructions", actor_username="amara").exists()


def test_after_accepting_the_offer_and_the_case_show_her_safe_contact(world, client_for):
    _referral, offer = offered(world)
    case = case_services.case_open_from_offer(actor=world.users["amara"], offer=offer)
    amara = client_for("amara")
    offer_page = amara.get(reverse("offers:offer", kwargs={"public_id": offer.public_id})).content.decode()
    case_page = amara.get(reverse("cases:detail", kwargs={"public_id": case.public_id})).content.decode()
    for body in (offer_page, case_page):
        assert "BLUEBELL" in panel(body) and "Triagemarker" in body


def test_the_person_view_is_decided_in_the_policy(world):
    referral, offer = offered(world)
    amara, hana, percy = world.users["amara"], world.users["hana"], world.users["percy"]
    assert policy.offer_view_for(amara, offer) == policy.DECIDING
    assert policy.person_view_for(hana, referral).identity
    assert policy.person_view_for(percy, referral) == policy.NOTHING
    assert policy.safe_contact_for(amara, referral, policy.offer_view_for(amara, offer)) is None


def test_the_independent_adviser_sees_it_in_her_workspace_and_the_read_goes_to_the_sealed_chain(world, client_for):
    referral = with_contact(world.referrals["sealed"])
    case = world.cases["sealed"]
    body = client_for("ines").get(reverse("independent:case", kwargs={"public_id": case.public_id})).content.decode()
    assert "BLUEBELL" in panel(body)
    assert SealedAuditEvent.objects.filter(reason="safe contact instructions", object_id=referral.reference).exists()
    assert not AuditEvent.objects.filter(reason="safe contact instructions", object_id=referral.reference).exists()


@pytest.mark.parametrize("persona", ["percy", "cora", "alice", "bea"])
def test_no_one_else_sees_the_safe_word(world, client_for, persona):
    with_contact(world.referrals["triage"])
    with_contact(world.referrals["sealed"])
    client = client_for(persona)
    for referral in world.referrals.values():
        body = client.get(reverse("referrals:detail", kwargs={"reference": referral.reference})).content.decode()
        assert "BLUEBELL" not in body
