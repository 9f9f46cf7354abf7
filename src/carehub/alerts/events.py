"""What happens elsewhere in Care Hub that someone must be told of: signal receivers and sweeps.

Receivers listen to model saves rather than being called from each app's services, so the apps that do the work
stay unaware of who is told. Each builds a text that names a service or a record's public identifier, never a
survivor, and sends it only to people whose own scope holds the record: a sealed record is told to the independent
advisory service alone, and nothing changes for anyone else when one is written.

MARAC dates: `marac_date_sweep` runs daily (`carehub notify sweep`) and tells each case of a referral whose MARAC
meets within CAREHUB_MARAC_NOTICE_DAYS days, once per meeting date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Max
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import BreakGlassGrant, Membership, Organisation, Role, User
from carehub.cases.models import Case, CaseStatus
from carehub.core.choices import ServiceType
from carehub.core.public_ids import display
from carehub.marac.models import MaracReferral
from carehub.notifications.models import Kind, Notification
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


def _who_may_hear(referral: Referral, user_ids: list[int], *, holder_id: int) -> list[int]:
    """A sealed record is told only to advisers and managers of the independent advisory service that holds it
    (`holder_id`, the organisation of the service it was offered to or whose case it is), never to a police user;
    others are never told of it. Decided by that one membership, as the policy decides (`_opens_sealed`): a manager
    of the independent service who also manages a specialist service is not told, through the specialist one, of a
    sealed record wrongly offered there."""
    if not referral.sealed:
        return user_ids
    independent = set(
        Membership.objects.filter(
            user_id__in=user_ids,
            organisation_id=holder_id,
            organisation__kind=Organisation.Kind.INDEPENDENT_ADVISORY,
            role__in=[Role.INDEPENDENT_ADVISER, Role.SERVICE_MANAGER],
            is_active=True,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    police = set(
        Membership.objects.filter(
            user_id__in=independent, organisation__kind=Organisation.Kind.POLICE, is_active=True
        ).values_list("user_id", flat=True)
    )
    return sorted(independent - police)


def _readers(user_ids: list[int], may_open: Callable[[User], bool]) -> list[int]:
    """Of these users, those whose own scope (accounts.policy) holds the record the notice links to: nobody is told
    of a record they could not open. Two small queries per user; events tell a handful of people."""
    users = User.objects.filter(pk__in=set(user_ids), is_active=True)
    return sorted(user.pk for user in users if may_open(user))


@receiver(post_save, sender=Offer, dispatch_uid="notify_offer")
def offer_saved(sender, instance: Offer, created: bool, **kwargs) -> None:
    referral = instance.referral
    if created and instance.status == OfferStatus.PENDING:
        notify(
            recipient_ids=_readers(
                _who_may_hear(
                    referral, _managers_of(instance.service.organisation_id), holder_id=instance.service.organisation_id
                ),
                lambda user: policy.offers_visible_to(user).filter(pk=instance.pk).exists(),
            ),
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
            recipient_ids=_who_may_hear(offer.referral, [offer.offered_by_id], holder_id=offer.service.organisation_id),
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
        recipient_ids=_readers(
            _managers_of(referral.routed_service.organisation_id),
            lambda user: policy.referrals_visible_to(user).filter(pk=referral.pk).exists(),
        ),
        kind=Kind.BREAK_GLASS,
        text=f"An administrator used break-glass access on a referral held by {referral.routed_service.name}.",
        link=reverse("referrals:detail", kwargs={"reference": referral.reference}),
        event_key=f"break_glass:{instance.pk}",
    )


def _visible_cases(lapsed: dict[int, list[int]]) -> set[int]:
    """Of each caseworker's cases, those her own scope (accounts.policy) still holds: not after she has left the
    service, never for a police user, a sealed one only inside the independent service. One query per caseworker."""
    visible: set[int] = set()
    for user in User.objects.filter(pk__in=list(lapsed), is_active=True):
        visible |= set(policy.cases_visible_to(user).filter(pk__in=lapsed[user.pk]).values_list("pk", flat=True))
    return visible


def no_contact_sweep(*, today: dt.date | None = None) -> int:
    """Open cases whose last contact (or opening, if none) is N or more days ago: their caseworker is told, once for
    each lapse, while she may still see the case."""
    today = today or timezone.localdate()
    days = settings.CAREHUB_NO_CONTACT_DAYS
    cases = list(
        Case.objects.filter(status=CaseStatus.OPEN, caseworker__isnull=False)
        .annotate(last_contact=Max("contacts__on"))
        .values_list("pk", "public_id", "caseworker_id", "last_contact", "opened_at")
    )
    lapsed: dict[int, list[int]] = {}
    for pk, _, caseworker_id, last_contact, opened_at in cases:
        since = last_contact or (timezone.localtime(opened_at).date() if opened_at else None)
        if since is not None and (today - since).days >= days:
            lapsed.setdefault(caseworker_id, []).append(pk)
    visible = _visible_cases(lapsed)
    told = 0
    for pk, public_id, caseworker_id, last_contact, opened_at in cases:
        if pk not in visible:
            continue
        since = last_contact or timezone.localtime(opened_at).date()
        notify(
            recipient_ids=[caseworker_id],
            kind=Kind.NO_CONTACT,
            text=f"No contact has been recorded on case {display(public_id)} for {days} days or more.",
            link=reverse("cases:detail", kwargs={"public_id": public_id}),
            event_key=f"no_contact:{pk}:{since.isoformat()}",
        )
        told += 1
    return told


def marac_date_sweep(*, today: dt.date | None = None) -> int:
    """MARAC meetings from today to CAREHUB_MARAC_NOTICE_DAYS days ahead that have not been heard: each case still
    waiting or open on the referral taken to MARAC is told, once per meeting date (a moved meeting is told again).
    Returns how many people were newly told."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.CAREHUB_MARAC_NOTICE_DAYS)
    meetings = dict(
        MaracReferral.objects.filter(outcome="", meeting_date__gte=today, meeting_date__lte=horizon).values_list(
            "referral_id", "meeting_date"
        )
    )
    cases = Case.objects.filter(
        referral_id__in=list(meetings), status__in=[CaseStatus.WAITING, CaseStatus.OPEN]
    ).select_related("service", "referral")
    return sum(marac_date_approaching(case=case, marac_on=meetings[case.referral_id]) for case in cases)


def marac_date_approaching(*, case: Case, marac_on: dt.date) -> int:
    """Tell the case's caseworker that her MARAC meets soon, and the service's managers when the service is the one
    that represents her there (an IDVA or MARAC-linked service) or nobody holds the case yet. A sealed case is told
    within the independent service alone. Only those not yet told of this date are told; returns how many."""
    org = case.service.organisation_id
    recipients = [case.caseworker_id] if case.caseworker_id else []
    represents = case.service.service_type == ServiceType.IDVA or case.service.marac_linked
    if represents or not recipients:
        recipients += _managers_of(org)
    event_key = f"marac_date:{case.pk}:{marac_on.isoformat()}"
    told = set(Notification.objects.filter(event_key=event_key).values_list("recipient_id", flat=True))
    hear = _who_may_hear(case.referral, recipients, holder_id=org)
    new = _readers(
        [i for i in hear if i not in told], lambda user: policy.cases_visible_to(user).filter(pk=case.pk).exists()
    )
    notify(
        recipient_ids=new,
        kind=Kind.MARAC_DATE,
        text=f"A MARAC meeting on {marac_on:%d %B %Y} discusses case {display(case.public_id)}.",
        link=reverse("cases:detail", kwargs={"public_id": case.public_id}),
        event_key=event_key,
    )
    return len(set(new))
