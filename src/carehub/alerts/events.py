"""What happens elsewhere in Care Hub that someone must be told of: signal receivers and sweeps.

Receivers listen to model saves rather than being called from each app's services, so the apps that do the work
stay unaware of who is told. Each builds a text that names a service or a record's public identifier, never a
survivor, and sends it only to people whose own scope holds the record: a sealed record is told to the independent
advisory service alone, and nothing changes for anyone else when one is written.

MARAC dates: the MARAC work calls `marac_date_approaching(case=..., days=...)` from its own reminder sweep.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from carehub.accounts.models import BreakGlassGrant, Membership, Organisation, Role
from carehub.cases.models import Case, CaseStatus
from carehub.core.public_ids import display
from carehub.notifications.models import Kind
from carehub.notifications.services import notify
from carehub.notifications.signals import offer_declined, referral_received
from carehub.referrals.models import Offer, OfferStatus, Referral, Status


def _managers_of(organisation_id: int) -> list[int]:
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SERVICE_MANAGER, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def _hub_workers() -> list[int]:
    return list(
        Membership.objects.filter(
            organisation__kind=Organisation.Kind.HUB, role=Role.HUB_WORKER, is_active=True, user__is_active=True
        )
        .exclude(user__memberships__organisation__kind=Organisation.Kind.POLICE)
        .values_list("user_id", flat=True)
    )


def _who_may_hear(referral: Referral, user_ids: list[int]) -> list[int]:
    """A sealed record is told only to members of the independent advisory service; others are never told of it."""
    if not referral.sealed:
        return user_ids
    independent = Membership.objects.filter(
        user_id__in=user_ids,
        organisation__kind=Organisation.Kind.INDEPENDENT_ADVISORY,
        role__in=[Role.INDEPENDENT_ADVISER, Role.SERVICE_MANAGER],
        is_active=True,
    )
    return sorted(set(independent.values_list("user_id", flat=True)))


@receiver(post_save, sender=Offer, dispatch_uid="notify_offer")
def offer_saved(sender, instance: Offer, created: bool, **kwargs) -> None:
    referral = instance.referral
    if created and instance.status == OfferStatus.PENDING:
        notify(
            recipient_ids=_who_may_hear(referral, _managers_of(instance.service.organisation_id)),
            kind=Kind.OFFER_ARRIVED,
            text=f"An offer is waiting for {instance.service.name}.",
            link=reverse("offers:offer", kwargs={"public_id": instance.public_id}),
            event_key=f"offer_arrived:{instance.pk}",
        )


@receiver(offer_declined, dispatch_uid="notify_offer_declined")
def offer_was_declined(sender, offer: Offer, **kwargs) -> None:
    """The hub worker who made the offer is told: the referral is back in triage, waiting for her."""
    if offer.offered_by_id:
        notify(
            recipient_ids=_who_may_hear(offer.referral, [offer.offered_by_id]),
            kind=Kind.OFFER_DECLINED,
            text=f"{offer.service.name} declined an offer you made. The referral needs routing again.",
            link=reverse("referrals:detail", kwargs={"reference": offer.referral.reference}),
            event_key=f"offer_declined:{offer.pk}",
        )


@receiver(referral_received, dispatch_uid="notify_referral_received")
def referral_was_received(sender, referral: Referral, **kwargs) -> None:
    """Record linkage runs on the queue, not in the intake request. Sealed referrals are never matched (repeats)."""
    if not referral.sealed:
        from carehub.alerts.tasks import earlier_referral_check

        earlier_referral_check.enqueue(referral_id=referral.pk)


def earlier_referral_check(referral_id: int) -> int:
    from carehub.repeats.matching import suggest_matches

    referral = Referral.objects.select_related("survivor__data_key").filter(pk=referral_id, sealed=False).first()
    if referral is None or referral.status not in {Status.RECEIVED, Status.IN_TRIAGE} or not suggest_matches(referral):
        return 0
    recipients = _hub_workers()
    notify(
        recipient_ids=recipients,
        kind=Kind.EARLIER_REFERRAL,
        text=f"Referral {referral.reference} may be a repeat: a possible earlier referral awaits a decision.",
        link=reverse("referrals:detail", kwargs={"reference": referral.reference}),
        event_key=f"earlier_referral:{referral.pk}",
    )
    return len(recipients)


@receiver(post_save, sender=BreakGlassGrant, dispatch_uid="notify_break_glass")
def break_glass_saved(sender, instance: BreakGlassGrant, created: bool, **kwargs) -> None:
    referral = instance.referral
    if not created or referral.sealed or referral.routed_service_id is None:
        return
    notify(
        recipient_ids=_managers_of(referral.routed_service.organisation_id),
        kind=Kind.BREAK_GLASS,
        text=f"An administrator used break-glass access on a referral held by {referral.routed_service.name}.",
        link=reverse("referrals:detail", kwargs={"reference": referral.reference}),
        event_key=f"break_glass:{instance.pk}",
    )


def no_contact_sweep(*, today: dt.date | None = None) -> int:
    """Open cases whose last contact (or opening, if none) is N or more days ago: their caseworker is told, once for
    each lapse."""
    today = today or timezone.localdate()
    days = settings.CAREHUB_NO_CONTACT_DAYS
    cases = (
        Case.objects.filter(status=CaseStatus.OPEN, caseworker__isnull=False)
        .annotate(last_contact=Max("contacts__on"))
        .values_list("pk", "public_id", "caseworker_id", "last_contact", "opened_at")
    )
    told = 0
    for pk, public_id, caseworker_id, last_contact, opened_at in cases.iterator():
        since = last_contact or (timezone.localtime(opened_at).date() if opened_at else None)
        if since is None or (today - since).days < days:
            continue
        notify(
            recipient_ids=[caseworker_id],
            kind=Kind.NO_CONTACT,
            text=f"No contact has been recorded on case {display(public_id)} for {days} days or more.",
            link=reverse("cases:detail", kwargs={"public_id": public_id}),
            event_key=f"no_contact:{pk}:{since.isoformat()}",
        )
        told += 1
    return told


def marac_date_approaching(*, case: Case, marac_on: dt.date) -> None:
    """The hook for MARAC reminders: the caseworker (and the service's managers) are told the date approaches."""
    recipients = _managers_of(case.service.organisation_id) + ([case.caseworker_id] if case.caseworker_id else [])
    notify(
        recipient_ids=_who_may_hear(case.referral, recipients),
        kind=Kind.MARAC_DATE,
        text=f"A MARAC meeting on {marac_on:%d %B %Y} discusses case {display(case.public_id)}.",
        link=reverse("cases:detail", kwargs={"public_id": case.public_id}),
        event_key=f"marac_date:{case.pk}:{marac_on.isoformat()}",
    )
