"""Reads of referrals, always starting from the access policy."""

from __future__ import annotations

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When

from carehub.accounts import policy
from carehub.referrals.models import Referral, RiskLevel, Status

_RISK_ORDER = SqlCase(
    When(risk_level=RiskLevel.HIGH, then=Value(0)),
    When(risk_level=RiskLevel.NOT_ASSESSED, then=Value(1)),
    When(risk_level=RiskLevel.MEDIUM, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def triage_queue(*, user) -> QuerySet[Referral]:
    """Referrals waiting for the hub: highest risk first, then the longest waiting."""
    return (
        policy.referrals_visible_to(user)
        .filter(status__in=[Status.RECEIVED, Status.IN_TRIAGE])
        .annotate(risk_order=_RISK_ORDER)
        .order_by("risk_order", "received_at")
    )


def sent_by(*, user) -> QuerySet[Referral]:
    return policy.referrals_sent_by(user).order_by("-received_at")
