"""Break-glass: an administrator opens one record for an hour, with a reason, audited, and the service is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.breakglass import BreakGlassRefused, break_glass_open
from carehub.accounts.models import BreakGlassGrant, Notification
from carehub.audit.models import AuditEvent, SealedAuditEvent

REASON = "Court order 2026/118 requires the record to be produced today"


def test_without_break_glass_an_administrator_sees_no_case_content(world, client_for):
    adam = client_for("adam")
    for key, referral in world.referrals.items():
        assert adam.get(f"/referrals/{referral.reference}/").status_code == 404, key


def test_break_glass_opens_one_sealed_record_for_an_hour_and_tells_the_service(
    world, client_for, django_capture_on_commit_callbacks
):
    world.users["ivan"].email = "ivan@example.org"
    world.users["ivan"].save()
    sealed = world.referrals["sealed"]
    adam = client_for("adam")
    with django_capture_on_commit_callbacks(execute=True):
        response = adam.post("/administration/break-glass/", {"reference": sealed.reference, "reason": REASON})
    assert response.status_code == 302 and response["Location"] == f"/referrals/{sealed.reference}/"
    page = adam.get(response["Location"])
    assert page.status_code == 200 and world.marker("sealed") in page.content.decode()
    assert adam.get(f"/referrals/{world.referrals['solace'].reference}/").status_code == 404  # one record only
    event = SealedAuditEvent.objects.get(action="break_glass")  # the sealed chain: the hub's auditor never sees it
    assert (event.actor_username, event.reason, event.sealed) == ("adam", REASON, True)
    assert SealedAuditEvent.objects.filter(
        action="view", object_id=sealed.reference, reason="break-glass access"
    ).exists()
    notice = Notification.objects.get(recipient=world.users["ivan"])
    assert sealed.reference in notice.text and "adam" in notice.text
    assert "Sealedmarker" not in notice.text
    assert mail.outbox and "Sealedmarker" not in mail.outbox[0].body
    assert sealed.reference in client_for("ivan").get("/home/").content.decode()


def test_access_ends_after_an_hour(world):
    grant = break_glass_open(actor=world.users["adam"], reference=world.referrals["sealed"].reference, reason=REASON)
    assert world.referrals["sealed"] in policy.referrals_visible_to(world.users["adam"])
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.referrals["sealed"] not in policy.referrals_visible_to(world.users["adam"])


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
    break_glass_open(actor=world.users["adam"], reference=world.referrals["sealed"].reference, reason=REASON)
    adam = client_for("adam")
    assert adam.get(f"/cases/{world.cases['sealed'].pk}/").status_code == 200
    assert adam.get(f"/cases/{world.cases['solace'].pk}/").status_code == 404
    assert SealedAuditEvent.objects.filter(action="view", object_type="case", reason="break-glass access").exists()
