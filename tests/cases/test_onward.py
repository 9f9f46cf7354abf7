"""Onward referral: one survivor's support spanning several services, each case seen only by those allowed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carehub.accounts import policy
from carehub.cases import selectors, services
from carehub.cases import services as case_services
from carehub.cases.models import Case, OnwardReferral
from carehub.cases.services import CaseError
from carehub.referrals import services as referral_services
from carehub.referrals.models import Referral, Status
from carehub.referrals.services import TriageInput


def refer_on(world, case: Case, needs=("counselling",)) -> Referral:
    link = services.onward_referral_create(
        actor=world.users["alice"], case=case, needs=list(needs), note="", consent=True
    )
    return link.referral


def accept_at(world, referral: Referral, service_key: str, manager: str) -> Case:
    """The hub triages and offers the onward referral; the service accepts it."""
    hub = world.users["hana"]
    referral_services.referral_triage(
        actor=hub,
        referral=referral,
        expected_version=referral.version,
        triage=TriageInput(answers={n: "no" for n in range(1, 25)}),
    )
    offer = referral_services.offer_create(
        actor=hub,
        referral=referral,
        service=world.services[service_key],
        expected_version=referral.version,
        hub_reason="Onward",
    )
    return case_services.case_open_from_offer(actor=world.users[manager], offer=offer)


def test_an_onward_referral_is_a_new_referral_of_the_same_survivor_for_the_hub(world):
    case = world.cases["solace"]
    referral = refer_on(world, case, needs=("counselling", "refuge"))
    assert referral.survivor_id == case.survivor_id
    assert (referral.status, referral.needs, referral.referring_organisation) == (
        Status.RECEIVED,
        ["counselling", "refuge"],
        world.orgs["solace"],
    )
    assert referral.is_repeat is False  # continuity of support, not a survivor coming back
    assert referral in policy.referrals_visible_to(world.users["hana"])
    assert referral.survivor.unseal(referral.contact_sealed)["referrer"]["name"] == "Alice"


def test_the_journey_shows_each_case_to_those_allowed_to_see_it(world, client_for):
    first = world.cases["solace"]
    second = accept_at(world, refer_on(world, first), "sistah", "bea")
    third = accept_at(world, refer_on(world, first), "refuge", "amara")

    assert selectors.journey_case_ids(second) == {first.pk, second.pk, third.pk}
    assert [c.pk for c in selectors.journey(first, user=world.users["amara"])] == [first.pk, third.pk]
    assert selectors.journey(second, user=world.users["bea"]) == []  # she sees one case of it: no journey shown
    assert selectors.journey(first, user=world.users["alice"]) == []  # the refuge case is not allocated to her

    page = client_for("amara").get(reverse("cases:detail", kwargs={"public_id": third.public_id})).text
    assert "Her journey through services" in page
    assert reverse("cases:detail", kwargs={"public_id": first.public_id}) in page
    assert "Kestrel Rise Advocacy" not in page  # the by-and-for service's case belongs to another organisation
    assert (
        "Her journey" not in client_for("bea").get(reverse("cases:detail", kwargs={"public_id": second.public_id})).text
    )


def test_the_sender_sees_the_onward_referrals_status_but_not_where_it_went(world, client_for):
    first = world.cases["solace"]
    accept_at(world, refer_on(world, first), "sistah", "bea")
    page = client_for("alice").get(reverse("cases:detail", kwargs={"public_id": first.public_id})).text
    assert "Referred on" in page and "Accepted by a service" in page
    assert "Kestrel Rise" not in page


def test_the_onward_referral_page_needs_her_consent_and_a_need(world, client_for):
    case = world.cases["solace"]
    url = reverse("cases:refer_on", kwargs={"public_id": case.public_id})
    response = client_for("alice").post(url, {"needs": ["counselling"]})
    assert response.status_code == 400 and "She must agree to being referred on" in response.text
    response = client_for("alice").post(url, {"consent": "on"})
    assert response.status_code == 400 and "Choose the support she needs next" in response.text
    assert not OnwardReferral.objects.exists()
    assert client_for("alice").post(url, {"needs": ["counselling"], "consent": "on"}).status_code == 302
    assert OnwardReferral.objects.get().from_case == case


def test_a_sealed_case_is_never_referred_on_through_the_hub(world):
    with pytest.raises(CaseError, match="sealed pathway"):
        services.onward_referral_create(
            actor=world.users["ines"], case=world.cases["sealed"], needs=["counselling"], consent=True
        )
    assert not OnwardReferral.objects.exists()


def test_an_onward_referral_is_taken_in_like_any_other_a_taken_reference_drawn_again(world, monkeypatch):
    """referrals owns every referral: the onward one goes through its intake, with the retry on a taken reference,
    its first event and its consent (cases used to build the rows itself, and a taken reference failed the request)."""
    taken = world.referrals["triage"].reference
    draws = iter([taken, "CH-ONWA-RD01"])
    monkeypatch.setattr(referral_services, "new_reference", lambda: next(draws))
    case = world.cases["solace"]
    referral = refer_on(world, case)
    assert referral.reference == "CH-ONWA-RD01"
    event = referral.events.get()
    assert (event.to_status, event.organisation, event.note) == (
        Status.RECEIVED,
        case.service.organisation,
        f"onward referral from {case.service.name}",
    )
    assert [(c.kind, c.given) for c in referral.consents.all()] == [("referral", True)]
