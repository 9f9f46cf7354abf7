"""The hub's and the service's pages end to end: professional referral, triage, routing, accept and decline."""

from __future__ import annotations

import re

from carehub.cases.models import Case
from carehub.referrals.models import Offer, Referral, Status


def dash_post(yes: int) -> dict:
    return {f"q{n}": ("yes" if n <= yes else "no") for n in range(1, 25)}


def triage_post(referral, yes=15, **extra):
    return {
        "version": referral.version,
        "police_callouts_12_months": "0",
        "needs": ["idva"],
        "worker_gender": "no_preference",
        "has_nrpf": "no",
        "age": "34",
        **dash_post(yes),
        **extra,
    }


def test_a_health_referrer_sends_a_referral_and_sees_only_its_status(world, client_for):
    client = client_for("gina")
    form = client.get("/referrals/new/")
    submission = re.search(r'name="submission_id" value="([^"]+)"', form.content.decode()).group(1)
    data = {
        "submission_id": submission,
        "about-given_name": "Rose",
        "about-family_name": "Promarker",
        "about-borough": "E09000030",
        "contact-methods": ["phone"],
        "contact-phone": "07700 900777",
        "situation-perpetrator_police": "no",
        "situation-abuse_types": ["physical"],
        "support-needs": ["idva"],
        "support-worker_gender": "no_preference",
        "support-has_nrpf": "no",
        "consent-consent_to_referral": "on",
        "consent-share_with": ["specialist", "idva"],
        "referrer-referrer_name": "Dr Gina Shah",
    }
    done = client.post("/referrals/new/", data)
    assert done.status_code == 200, done.content.decode()[:3000]
    again = client.post("/referrals/new/", data)  # a double click
    assert Referral.objects.filter(idempotency_key=submission).count() == 1
    reference = Referral.objects.get(idempotency_key=submission).reference
    assert reference in done.content.decode() and reference in again.content.decode()
    sent = client.get("/referrals/sent/").content.decode()
    assert reference in sent and "Promarker" not in sent
    assert client.get(f"/referrals/{reference}/").status_code == 404


def test_a_professional_referral_without_consent_is_refused_and_keeps_the_answers(world, client_for):
    client = client_for("gina")
    response = client.post(
        "/referrals/new/",
        {
            "about-given_name": "Rose",
            "referrer-referrer_name": "Gina",
            "contact-methods": ["email"],
            "contact-email": "rose@example.org",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "must agree to the referral" in body
    assert 'value="Rose"' in body
    assert (
        not Referral.objects.filter(referring_organisation=world.orgs["nhs"])
        .exclude(pk=world.referrals["solace"].pk)
        .exists()
    )


def test_the_police_form_does_not_ask_immigration_status(world, client_for):
    body = client_for("percy").get("/referrals/new/").content.decode()
    assert "What is your immigration status" not in body
    assert "What is your immigration status" in client_for("gina").get("/referrals/new/").content.decode()


def test_hub_worker_triages_routes_and_a_by_and_for_service_accepts(world, client_for):
    referral = world.referrals["triage"]
    Referral.objects.filter(pk=referral.pk).update(wants_by_and_for="black_minoritised")
    referral.refresh_from_db()
    hana = client_for("hana")
    initial = hana.get(f"/referrals/{referral.reference}/triage/").content.decode()
    assert 'value="black_minoritised" checked' in initial  # the triage form starts from what she asked
    saved = hana.post(
        f"/referrals/{referral.reference}/triage/", triage_post(referral, wants_by_and_for="black_minoritised")
    )
    assert saved.status_code == 302 and saved["Location"].endswith("/route/")
    referral.refresh_from_db()
    assert (referral.risk_level, referral.marac) == ("high", True)
    routing = hana.get(f"/referrals/{referral.reference}/route/").content.decode()
    assert routing.index("Kestrel Rise Advocacy") < routing.index("Quaymarsh IDVA")
    assert "led by and for Black and minoritised women, as she asked" in routing
    offered = hana.post(
        f"/referrals/{referral.reference}/route/",
        {"version": referral.version, "service": world.services["sistah"].pk, "hub_reason": "She asked for it"},
    )
    assert offered.status_code == 302
    offer = Offer.objects.get(referral=referral)
    bea = client_for("bea")
    assert referral.reference in bea.get("/referrals/offers/").content.decode()
    assert client_for("amara").get(f"/referrals/offers/{offer.public_id}/").status_code == 404
    accepted = bea.post(f"/referrals/offers/{offer.public_id}/", {"action": "accept"})
    case = Case.objects.get(referral=referral)
    assert accepted["Location"] == f"/cases/{case.public_id}/"
    history = hana.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Accepted by a service" in history or "accepted by a service" in history


def test_a_stale_form_is_refused_and_nothing_is_saved(world, client_for):
    referral = world.referrals["triage"]
    hana = client_for("hana")
    stale = triage_post(referral, yes=2)
    hana.post(f"/referrals/{referral.reference}/triage/", triage_post(referral, yes=15))
    response = hana.post(f"/referrals/{referral.reference}/triage/", stale)
    assert response.status_code == 400
    assert "Someone else changed this referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.dash_score == 15


def test_a_decline_needs_a_reason_and_returns_the_referral(world, client_for):
    referral = world.referrals["triage"]
    hana = client_for("hana")
    hana.post(f"/referrals/{referral.reference}/triage/", triage_post(referral, yes=3))
    referral.refresh_from_db()
    hana.post(
        f"/referrals/{referral.reference}/route/",
        {"version": referral.version, "service": world.services["solace"].pk, "hub_reason": "nearest"},
    )
    offer = Offer.objects.get(referral=referral)
    amara = client_for("amara")
    empty = amara.post(f"/referrals/offers/{offer.public_id}/", {"action": "decline", "reason": ""})
    assert "Choose why your service cannot take" in empty.content.decode()
    words = amara.post(f"/referrals/offers/{offer.public_id}/", {"action": "decline", "reason": "other"})
    assert "Say why your service cannot take" in words.content.decode()
    answer = {"reason": "other", "detail": "Full until March"}
    confirm = amara.post(f"/referrals/offers/{offer.public_id}/", {"action": "decline", **answer})
    # A confirmation step first: nothing is declined until she confirms.
    assert confirm.status_code == 200 and "Decline referral" in confirm.content.decode()
    assert "Full until March" in confirm.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.OFFERED
    amara.post(f"/referrals/offers/{offer.public_id}/", {"action": "decline_confirmed", **answer})
    referral.refresh_from_db()
    assert referral.status == Status.IN_TRIAGE
    assert referral.reference in hana.get("/referrals/queue/").content.decode()


def test_offering_to_a_closed_service_explains_and_keeps_the_referral_waiting(world, client_for):
    referral = world.referrals["triage"]
    hana = client_for("hana")
    hana.post(f"/referrals/{referral.reference}/triage/", triage_post(referral, yes=3))
    referral.refresh_from_db()
    service = world.services["solace"]
    service.accepting_referrals = False
    service.save()
    response = hana.post(
        f"/referrals/{referral.reference}/route/",
        {"version": referral.version, "service": service.pk, "hub_reason": "nearest"},
    )
    assert response.status_code == 400
    assert "stopped taking referrals" in response.content.decode()
    assert not Offer.objects.exists()


def test_withdrawing_consent_from_the_referral_page_keeps_its_history(world, client_for):
    from carehub.referrals.models import Consent

    referral = world.referrals["solace"]
    given = Consent.objects.create(
        referral=referral, kind="sharing", recipient=world.orgs["sistah"], given=True, recorded_at=referral.received_at
    )
    alice = client_for("alice")
    page = alice.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Kestrel Rise" in page and "Withdraw" in page
    withdraw = f"/referrals/{referral.reference}/consents/{given.public_id}/withdraw/"
    assert withdraw in page
    alice.post(withdraw, {"reason": "She asked us to stop sharing"})
    assert list(referral.consents.values_list("given", flat=True)) == [True, False]
    assert client_for("bola").post(withdraw).status_code == 404
