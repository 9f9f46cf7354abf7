"""Issue 12: withdrawing her consent and declining an offer each ask for confirmation and a reason."""

from __future__ import annotations

from django.urls import reverse

from carehub.audit.models import AuditEvent
from carehub.referrals.models import Consent


def test_withdrawing_consent_asks_for_confirmation_and_a_reason(world, client_for):
    referral = world.referrals["triage"]
    given = Consent.objects.create(
        referral=referral, kind="sharing", recipient_kind="health", given=True, recorded_at=referral.received_at
    )
    hana = client_for("hana")
    url = reverse("referrals:consent_withdraw", kwargs={"reference": referral.reference, "consent_id": given.public_id})
    detail = hana.get(reverse("referrals:detail", kwargs={"reference": referral.reference})).content.decode()
    assert f'href="{url}"' in detail  # a link to the confirmation page, not a button that withdraws at once
    page = hana.get(url)
    assert page.status_code == 200 and "Withdraw her consent?" in page.content.decode()
    assert Consent.objects.filter(referral=referral).count() == 1  # looking withdraws nothing
    refused = hana.post(url, {"reason": "  "})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Say why she is withdrawing her consent." in body and 'href="#id_reason"' in body
    assert "<title>Error: " in body
    hana.post(url, {"reason": "She does not want her GP told"})
    withdrawn = Consent.objects.filter(referral=referral, given=False).get()
    assert withdrawn.supersedes == given
    assert referral.survivor.unseal(withdrawn.reason_sealed) == {"reason": "She does not want her GP told"}
    event = AuditEvent.objects.filter(object_id=referral.reference).latest("seq")
    assert event.changes == {"consent_revoked": given.public_id, "reason_given": True}


def test_a_police_referrer_cannot_reach_the_withdrawal_page(world, client_for):
    referral = world.referrals["triage"]
    given = Consent.objects.create(referral=referral, kind="sharing", given=True, recorded_at=referral.received_at)
    url = reverse("referrals:consent_withdraw", kwargs={"reference": referral.reference, "consent_id": given.public_id})
    assert client_for("percy").get(url).status_code == 404
    assert client_for("percy").post(url, {"reason": "x"}).status_code == 404
    assert Consent.objects.filter(referral=referral).count() == 1


def test_the_withdrawal_reason_is_on_the_referral_page_only_for_those_who_see_her_situation(world, client_for):
    from carehub.accounts import policy
    from carehub.referrals import selectors

    referral = world.referrals["triage"]
    given = Consent.objects.create(
        referral=referral, kind="sharing", recipient_kind="health", given=True, recorded_at=referral.received_at
    )
    hana = client_for("hana")
    url = reverse("referrals:consent_withdraw", kwargs={"reference": referral.reference, "consent_id": given.public_id})
    detail_url = reverse("referrals:detail", kwargs={"reference": referral.reference})
    assert "Reason: " not in hana.get(detail_url).content.decode()
    hana.post(url, {"reason": "She does not want her GP told"})
    assert "Reason: She does not want her GP told" in hana.get(detail_url).content.decode()
    consents = list(referral.consents.all())
    withdrawn = next(c for c in consents if not c.given)
    full = policy.PersonView(decision=True, identity=True, situation=True)
    assert selectors.withdrawal_reasons(referral, consents, full) == {withdrawn.pk: "She does not want her GP told"}
    assert selectors.withdrawal_reasons(referral, consents, policy.DECIDING) == {}
    assert selectors.withdrawal_reasons(referral, consents, policy.NOTHING) == {}
