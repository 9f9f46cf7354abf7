"""Break-glass: an administrator opens one referral's records for an hour, with a reason, in plain sight.

Never a sealed record. The sealed pathway exists because the people who run police-adjacent systems may not be
trusted with it, so a sealed reference answers exactly as a reference that does not exist: same message, no grant,
and nothing anyone outside the independent advisory service could see. The attempt itself is recorded where only
that service sees it (the sealed audit chain, and a notice to its managers), so no one can probe the sealed pathway
quietly either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import BreakGlassGrant, Membership, Organisation, Role
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core.services import ServiceError
from carehub.notifications.models import Kind
from carehub.notifications.services import notify

if TYPE_CHECKING:
    from carehub.referrals.models import Referral

MINIMUM_REASON_LENGTH = 20
# One answer for a reference that does not exist and for a sealed one: the difference would say she is sealed.
NOT_FOUND = "No referral has that reference. Check it and try again."


class BreakGlassRefused(ServiceError):
    """Break-glass refused: not an administrator, no reason, or no such (or a sealed) referral."""


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
    referral = policy.referral_for_break_glass(reference)
    if referral is not None and referral.sealed:
        _record_refused_attempt(actor, referral, reason)
        referral = None
    if referral is None:
        raise BreakGlassRefused(NOT_FOUND, field="reference")
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor, referral=referral, reason=reason, granted_at=now, expires_at=now + policy.BREAK_GLASS_DURATION
        )
        audit.record_for(
            actor,
            Action.BREAK_GLASS,
            referral,
            reason=reason,
            changes={"grant": grant.pk},
            event=EventType.BREAK_GLASS_GRANTED,
        )
    return grant


def _record_refused_attempt(actor, referral: Referral, reason: str) -> None:
    """An administrator tried to open a sealed record: tell the independent service, and no one else.

    `record_for` files the event by the referral's sealed flag, so it lands where only the independent service's
    own auditor reads; no grant is written, so nothing in the hub's tables changes.
    """
    with transaction.atomic():
        audit.record_for(
            actor,
            Action.BREAK_GLASS,
            referral,
            reason=reason,
            changes={"refused": "sealed pathway"},
            event=EventType.BREAK_GLASS_REFUSED,
        )
        _tell_independent_managers(referral, actor)


def _tell_independent_managers(referral: Referral, actor) -> None:
    orgs = Organisation.objects.filter(kind=Organisation.Kind.INDEPENDENT_ADVISORY)
    if referral.routed_service is not None:
        orgs = orgs.filter(pk=referral.routed_service.organisation_id)
    managers = Membership.objects.filter(
        organisation__in=orgs, role=Role.SERVICE_MANAGER, is_active=True
    ).select_related("user")
    text = (
        f"{actor.get_username()} tried to use break-glass access on sealed referral {referral.reference} at "
        f"{timezone.localtime():%H:%M on %d %B %Y}. It was refused and the record was not opened; the reason they "
        "gave is in the audit trail."
    )
    # Queued in this transaction: the fan-out writes the notices and e-mails those who opted in, saying only that
    # something happened; personal data stays inside Care Hub.
    notify(
        recipient_ids=[m.user_id for m in managers],
        kind=Kind.BREAK_GLASS,
        text=text,
        event_key=f"break_glass_refused:{referral.pk}:{timezone.now().isoformat()}",
        always_email=True,
    )
