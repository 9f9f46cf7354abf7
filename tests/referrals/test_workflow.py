"""Triage, offer, accept and decline as services: every change kept, stale actions refused, nothing half-saved."""

from __future__ import annotations

import pytest

from carehub.accounts import policy
from carehub.cases import services as case_services
from carehub.cases.models import Case, CaseStatus
from carehub.referrals import selectors, services
from carehub.referrals.models import Consent, DashAssessment, Offer, OfferStatus, Referral, ReferralEvent, Status
from carehub.referrals.services import ConcurrentChange, ReferralError, ServiceUnavailable, TriageInput


def all_answers(yes: int) -> dict[int, str]:
    return {n: ("yes" if n <= yes else "no") for n in range(1, 25)}


@pytest.fixture
def referral(world):
    return world.referrals["triage"]


def triage(world, referral, yes=15, **extra):
    return services.referral_triage(
        actor=world.users["hana"],
        referral=referral,
        expected_version=referral.version,
        triage=TriageInput(answers=all_answers(yes), **extra),
    )


def test_triage_scores_sets_risk_and_keeps_the_assessment(world, referral):
    assessment = triage(world, referral, yes=15, fears="that he will find her")
    referral.refresh_from_db()
    assert (referral.risk_level, referral.dash_score, referral.marac) == ("high", 15, True)
    assert assessment.high_risk_reasons[0].startswith("visible high risk")
    assert referral.survivor.unseal(assessment.fears_sealed) == {"fears": "that he will find her"}
    assert b"find her" not in bytes(assessment.fears_sealed)


def test_professional_judgement_needs_a_reason(world, referral):
    with pytest.raises(ReferralError) as error:
        triage(world, referral, yes=2, professional_judgement=True)
    assert error.value.field == "professional_judgement_reason"
    assert not DashAssessment.objects.exists()


def test_two_hub_workers_acting_at_once_cannot_both_succeed(world, referral):
    stale_version = referral.version
    triage(world, referral, yes=3)
    other = Referral.objects.get(pk=referral.pk)
    with pytest.raises(ConcurrentChange, match="Someone else changed"):
        services.offer_create(
            actor=world.users["hana"],
            referral=other,
            service=world.services["solace"],
            expected_version=stale_version,
            hub_reason="closest",
        )
    assert not Offer.objects.exists()
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_TRIAGE


def test_an_offer_to_a_service_that_has_closed_is_refused_with_a_clear_message(world, referral):
    service = world.services["solace"]
    service.accepting_referrals = False
    service.save()
    with pytest.raises(ServiceUnavailable, match="stopped taking referrals"):
        services.offer_create(
            actor=world.users["hana"],
            referral=referral,
            service=service,
            expected_version=referral.version,
            hub_reason="best fit",
        )
    assert Referral.objects.get(pk=referral.pk).status == referral.status


def offer(world, referral, service_key="sistah"):
    return services.offer_create(
        actor=world.users["hana"],
        referral=referral,
        service=world.services[service_key],
        expected_version=referral.version,
        hub_reason="She asked for a by-and-for service",
        rank=1,
        score=61.0,
        reasons=["+50: led by and for"],
    )


def test_accepting_an_offer_opens_a_case_on_the_waiting_list(world, referral):
    made = offer(world, referral)
    assert made in policy.offers_visible_to(world.users["bea"])
    assert made not in policy.offers_visible_to(world.users["amara"])
    case = case_services.case_open_from_offer(actor=world.users["bea"], offer=made)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert case.status == CaseStatus.WAITING and case.service == world.services["sistah"]
    path = list(ReferralEvent.objects.filter(referral=referral).values_list("from_status", "to_status"))
    assert path[-2:] == [("in_triage", "offered"), ("offered", "accepted")]
    with pytest.raises(ConcurrentChange):
        case_services.case_open_from_offer(actor=world.users["bea"], offer=made)
    assert Case.objects.filter(referral=referral).count() == 1


def test_a_decline_returns_the_referral_to_the_hub_and_the_service_loses_sight(world, referral):
    made = offer(world, referral)
    assert referral in policy.referrals_visible_to(world.users["bea"])
    with pytest.raises(ReferralError):
        services.offer_decline(actor=world.users["bea"], offer=made, reason="  ")
    services.offer_decline(actor=world.users["bea"], offer=made, reason="no_capacity")
    referral.refresh_from_db()
    made.refresh_from_db()
    assert (referral.status, referral.routed_service) == (Status.IN_TRIAGE, None)
    assert (made.status, made.decline_reason) == (OfferStatus.DECLINED, "no_capacity")
    assert referral not in policy.referrals_visible_to(world.users["bea"])
    offer(world, referral, "solace")  # the hub can make the next offer


def test_sealed_referrals_are_never_triaged_or_offered_by_the_hub(world):
    sealed = world.referrals["sealed"]
    with pytest.raises(ReferralError):
        services.offer_create(
            actor=world.users["hana"],
            referral=sealed,
            service=world.services["solace"],
            expected_version=sealed.version,
            hub_reason="x",
        )


def test_consent_withdrawal_keeps_the_history(world, referral):
    given = Consent.objects.create(
        referral=referral,
        kind="sharing",
        recipient=world.orgs["solace"],
        given=True,
        recorded_at=referral.received_at,
    )
    assert given in selectors.current_consents(referral)
    services.consent_revoke(actor=world.users["hana"], consent=given, reason="She has moved on")
    assert given not in selectors.current_consents(referral)
    assert list(Consent.objects.filter(referral=referral).values_list("given", flat=True)) == [True, False]


def test_a_referral_must_be_triaged_before_it_is_offered(world):
    from tests import factories as f

    fresh = f.ReferralFactory(status=Status.RECEIVED)
    with pytest.raises(ReferralError, match="Triage this referral"):
        services.offer_create(
            actor=world.users["hana"],
            referral=fresh,
            service=world.services["solace"],
            expected_version=fresh.version,
            hub_reason="nearest",
        )
