"""Break-glass: an administrator opens one record for an hour, with a reason, audited; never a sealed record, which
answers exactly as a missing one, and the attempt is told to the independent service alone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.breakglass import BreakGlassRefused, break_glass_open
from carehub.accounts.models import BreakGlassGrant, Role
from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.notifications.models import Notification
from tests import factories as f

REASON = "Court order 2026/118 requires the record to be produced today"


def test_without_break_glass_an_administrator_sees_no_case_content(world, client_for):
    adam = client_for("adam")
    for key, referral in world.referrals.items():
        assert adam.get(f"/referrals/{referral.reference}/").status_code == 404, key


def test_break_glass_opens_one_record_for_an_hour(world, client_for):
    record = world.referrals["solace"]
    adam = client_for("adam")
    response = adam.post("/administration/break-glass/", {"reference": record.reference, "reason": REASON})
    assert response.status_code == 302 and response["Location"] == f"/referrals/{record.reference}/"
    page = adam.get(response["Location"])
    assert page.status_code == 200 and world.marker("solace") in page.content.decode()
    assert adam.get(f"/referrals/{world.referrals['sistah'].reference}/").status_code == 404  # one record only
    event = AuditEvent.objects.get(action="break_glass")
    assert (event.actor_username, event.reason, event.sealed) == ("adam", REASON, False)
    assert AuditEvent.objects.filter(action="view", object_id=record.reference, reason="break-glass access").exists()


def _break_glass_page(client, reference: str) -> tuple[int, bytes]:
    """The answer to a break-glass request, with the reference typed (echoed back in the form) and the CSRF token
    (masked afresh on every render) taken out: everything else must be byte for byte the same."""
    response = client.post("/administration/break-glass/", {"reference": reference, "reason": REASON})
    body = response.content.replace(reference.encode(), b"REFERENCE")
    return response.status_code, re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_a_sealed_reference_answers_exactly_as_a_missing_one(world, client_for, django_capture_on_commit_callbacks):
    world.users["ivan"].email = "ivan@example.org"
    world.users["ivan"].save()
    sealed = world.referrals["sealed"]
    adam = client_for("adam")
    hub_auditor_sees = list(policy.audit_events_visible_to(world.users["otto"]).values_list("pk", flat=True))
    missing = _break_glass_page(adam, "CH-ZZZZ-ZZZZ")
    with django_capture_on_commit_callbacks(execute=True):
        hidden = _break_glass_page(adam, sealed.reference)
    assert hidden == missing and hidden[0] == 400
    assert b"No referral has that reference" in hidden[1]
    # Nothing opened, nothing granted, nothing the hub can read.
    assert adam.get(f"/referrals/{sealed.reference}/").status_code == 404
    assert adam.get(f"/cases/{world.cases['sealed'].public_id}/").status_code == 404
    assert not BreakGlassGrant.objects.exists()
    assert sealed not in policy.referrals_visible_to(world.users["adam"])
    assert list(policy.audit_events_visible_to(world.users["otto"]).values_list("pk", flat=True)) == hub_auditor_sees
    assert not Notification.objects.exclude(recipient=world.users["ivan"]).exists()
    # The attempt is recorded where only the independent service sees it.
    assert not AuditEvent.objects.filter(action="break_glass").exists()
    event = SealedAuditEvent.objects.get(action="break_glass")
    assert (event.actor_username, event.reason, event.sealed) == ("adam", REASON, True)
    assert event in policy.sealed_audit_events_visible_to(world.users["oona"])
    notice = Notification.objects.get(recipient=world.users["ivan"])
    assert sealed.reference in notice.text and "adam" in notice.text and "refused" in notice.text
    assert "Sealedmarker" not in notice.text
    assert mail.outbox and "Sealedmarker" not in mail.outbox[0].body
    assert sealed.reference in client_for("ivan").get("/home/").content.decode()


def test_the_service_refuses_a_sealed_reference_with_the_missing_message(world):
    with pytest.raises(BreakGlassRefused) as missing:
        break_glass_open(actor=world.users["adam"], reference="CH-ZZZZ-ZZZZ", reason=REASON)
    with pytest.raises(BreakGlassRefused) as sealed:
        break_glass_open(actor=world.users["adam"], reference=world.referrals["sealed"].reference, reason=REASON)
    assert (sealed.value.message, sealed.value.field) == (missing.value.message, missing.value.field)


def test_no_grant_reaches_a_sealed_record_however_it_was_written(world, client_for):
    """Defence in depth: a grant row on a sealed referral (an older release, a hand-made row) opens nothing."""
    now = timezone.now()
    for key in ("sealed", "solace"):
        BreakGlassGrant.objects.create(
            user=world.users["adam"],
            referral=world.referrals[key],
            reason=REASON,
            granted_at=now,
            expires_at=now + dt.timedelta(hours=1),
        )
    adam = world.users["adam"]
    assert not policy.break_glass_active(adam, world.referrals["sealed"])
    assert policy.break_glass_active(adam, world.referrals["solace"])
    assert list(policy.referrals_visible_to(adam)) == [world.referrals["solace"]]
    assert list(policy.cases_visible_to(adam)) == [world.cases["solace"]]
    assert not policy.survivors_visible_to(adam).filter(pk=world.referrals["sealed"].survivor_id).exists()
    client = client_for("adam")
    assert client.get(f"/referrals/{world.referrals['sealed'].reference}/").status_code == 404
    assert client.get(f"/cases/{world.cases['sealed'].public_id}/").status_code == 404
    assert client.get(f"/independent/cases/{world.cases['sealed'].public_id}/").status_code == 404


def test_the_independent_service_needs_no_break_glass_of_its_own(world):
    """Its managers and advisers already see every sealed record of their service, allocated to them or not, so
    emergency access inside the service is simply their normal access."""
    other = f.UserFactory(username="iris")
    f.MembershipFactory(user=other, organisation=world.orgs["ias"], role=Role.INDEPENDENT_ADVISER)
    referral = f.ReferralFactory(sealed=True, routed_service=world.services["ias"])
    case = f.CaseFactory(referral=referral, service=world.services["ias"], sealed=True, caseworker=other)
    for persona in ("ivan", "ines"):
        user = world.users[persona]
        assert {world.referrals["sealed"], referral} <= set(policy.referrals_visible_to(user)), persona
        assert {world.cases["sealed"], case} <= set(policy.cases_visible_to(user)), persona


def test_access_ends_after_an_hour(world):
    grant = break_glass_open(actor=world.users["adam"], reference=world.referrals["solace"].reference, reason=REASON)
    assert world.referrals["solace"] in policy.referrals_visible_to(world.users["adam"])
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.referrals["solace"] not in policy.referrals_visible_to(world.users["adam"])


@pytest.mark.parametrize("persona", ["hana", "amara", "otto", "cora", "percy"])
def test_nobody_but_an_administrator_can_break_glass(world, client_for, persona):
    sealed = world.referrals["sealed"]
    assert (
        client_for(persona)
        .post("/administration/break-glass/", {"reference": sealed.reference, "reason": REASON})
        .status_code
        == 404
    )
    with pytest.raises(BreakGlassRefused):
        break_glass_open(actor=world.users[persona], reference=sealed.reference, reason=REASON)
    assert not BreakGlassGrant.objects.exists()


def test_a_reason_is_required_and_nothing_is_granted_without_one(world, client_for):
    response = client_for("adam").post(
        "/administration/break-glass/", {"reference": world.referrals["sealed"].reference, "reason": "need it"}
    )
    assert response.status_code == 400 and "full reason" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="break_glass").exists()


def test_break_glass_also_opens_the_referrals_case_page(world, client_for):
    break_glass_open(actor=world.users["adam"], reference=world.referrals["solace"].reference, reason=REASON)
    adam = client_for("adam")
    assert adam.get(f"/cases/{world.cases['solace'].public_id}/").status_code == 200
    assert adam.get(f"/cases/{world.cases['sistah'].public_id}/").status_code == 404
    assert AuditEvent.objects.filter(action="view", object_type="case", reason="break-glass access").exists()
