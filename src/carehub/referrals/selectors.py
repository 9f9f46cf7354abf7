"""Reads of referrals, always starting from the access policy."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from carehub.accounts import policy
from carehub.people.equality import GenderIdentity, Sex
from carehub.referrals import directory_snapshot
from carehub.referrals.models import RISK_ORDER, Consent, Offer, OfferStatus, Referral, Status
from carehub.referrals.routing import Excluded, Need, Ranked, rank


def triage_queue(*, user) -> QuerySet[Referral]:
    """Referrals waiting for the hub: highest risk first, then the longest waiting."""
    return (
        policy.referrals_visible_to(user)
        .filter(status__in=[Status.RECEIVED, Status.IN_TRIAGE])
        .annotate(risk_order=RISK_ORDER)
        .order_by("risk_order", "received_at")
    )


def sent_by(*, user) -> QuerySet[Referral]:
    return policy.referrals_sent_by(user).order_by("-received_at")


def routing_need(referral: Referral) -> Need:
    """What routing may know of a referral: needs and eligibility, never identity."""
    survivor = referral.survivor
    is_man = survivor.sex == Sex.MALE and survivor.gender_identity not in {
        GenderIdentity.WOMAN,
        GenderIdentity.TRANS_WOMAN,
    }
    return Need(
        borough=referral.borough,
        needs=frozenset(referral.needs or []),
        abuse_types=frozenset(referral.abuse_types or []),
        wants_by_and_for=referral.wants_by_and_for,
        language=referral.language,
        interpreter_needed=referral.interpreter_needed,
        age=referral.age_at_referral,
        is_man=is_man,
        has_nrpf=referral.has_nrpf,
    )


def routing_for(referral: Referral) -> tuple[list[Ranked], list[Excluded]]:
    return rank(routing_need(referral), directory_snapshot.routing_services())


def history(referral: Referral):
    return referral.events.select_related("actor", "service", "organisation").order_by("at", "pk")


def pending_offers(*, user) -> QuerySet[Offer]:
    return (
        policy.offers_visible_to(user)
        .filter(status=OfferStatus.PENDING)
        .select_related("referral", "service")
        .order_by("offered_at")
    )


def current_consents(referral: Referral, *, on: dt.date | None = None) -> list[Consent]:
    """The consents in force on a referral the caller already holds (through the policy): the latest row per kind
    and recipient, given, and not expired."""
    on = on or timezone.localdate()
    latest: dict[tuple[str, int | None], Consent] = {}
    for consent in referral.consents.order_by("recorded_at", "pk"):
        latest[(consent.kind, consent.recipient_id)] = consent
    return [c for c in latest.values() if c.given and (c.expires_on is None or c.expires_on >= on)]
