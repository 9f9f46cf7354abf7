"""Break-glass: an administrator opens one referral's records for an hour, with a reason, in plain sight.

The independent advisory service's managers are told at once when the record is sealed, so no one can look into
the sealed pathway quietly.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import BreakGlassGrant, Membership, Notification, Organisation, Role
from carehub.audit import services as audit
from carehub.audit.models import Action
from carehub.referrals.models import Referral

MINIMUM_REASON_LENGTH = 20


class BreakGlassRefused(Exception):
    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def break_glass_open(*, actor, reference: str, reason: str) -> BreakGlassGrant:
    if not policy.can_administer(actor) or policy.is_police_user(actor):
        raise BreakGlassRefused("Only an administrator can use break-glass access.")
    reason = reason.strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise BreakGlassRefused(
            f"Give the full reason (at least {MINIMUM_REASON_LENGTH} characters): it is recorded and shown to the "
            "service that holds the record.",
            field="reason",
        )
    referral = Referral.objects.select_related("routed_service").filter(reference=reference.strip().upper()).first()
    if referral is None:
        raise BreakGlassRefused("No referral has that reference. Check it and try again.", field="reference")
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor, referral=referral, reason=reason, granted_at=now, expires_at=now + policy.BREAK_GLASS_DURATION
        )
        audit.record_for(actor, Action.BREAK_GLASS, referral, reason=reason, changes={"grant": grant.pk})
        if referral.sealed:
            _tell_independent_managers(referral, actor)
    return grant


def _tell_independent_managers(referral: Referral, actor) -> None:
    orgs = Organisation.objects.filter(kind=Organisation.Kind.INDEPENDENT_ADVISORY)
    if referral.routed_service is not None:
        orgs = orgs.filter(pk=referral.routed_service.organisation_id)
    managers = Membership.objects.filter(
        organisation__in=orgs, role=Role.SERVICE_MANAGER, is_active=True
    ).select_related("user")
    text = (
        f"{actor.get_username()} used break-glass access on sealed referral {referral.reference} at "
        f"{timezone.localtime():%H:%M on %d %B %Y}. The reason is in the audit trail."
    )
    for membership in managers:
        Notification.objects.create(recipient=membership.user, text=text)
        if membership.user.email:
            # The e-mail says only that something happened: personal data stays inside Care Hub.
            transaction.on_commit(
                lambda email=membership.user.email: send_mail(
                    "Care Hub: break-glass access to a sealed record",
                    "An administrator has opened a sealed record. Sign in to Care Hub to see which and why.",
                    None,
                    [email],
                    fail_silently=True,
                )
            )
