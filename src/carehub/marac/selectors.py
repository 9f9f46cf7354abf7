"""Reads of MARAC referrals, always starting from the access policy."""

from __future__ import annotations

from django.db.models import F, QuerySet

from carehub.accounts import policy
from carehub.core.london import BOROUGHS
from carehub.marac.models import MaracReferral


def marac_list(user, *, borough: str = "", heard: bool = False) -> QuerySet[MaracReferral]:
    """A borough's MARAC list (or every borough the user covers), the next meeting first; not yet dated last.

    Heard referrals (outcome recorded) are a separate list, so the working list is what still needs a meeting.
    """
    referrals = policy.marac_referrals_visible_to(user).select_related("referral")
    if borough:
        referrals = referrals.filter(borough=borough)
    referrals = referrals.exclude(outcome="") if heard else referrals.filter(outcome="")
    return referrals.order_by(F("meeting_date").asc(nulls_last=True), "referred_on", "public_id")


def borough_choices(user) -> list[tuple[str, str]]:
    """The boroughs that have a MARAC referral the user may see, by name."""
    codes = policy.marac_referrals_visible_to(user).values_list("borough", flat=True).distinct()
    return sorted(((c, BOROUGHS.get(c, c)) for c in codes if c), key=lambda pair: pair[1])


def sealed_marac_for(user, referral) -> MaracReferral | None:
    """The sealed MARAC referral of a sealed referral, for the independent service's pages: through the policy, so
    the page links only a record the user could open (marac_referrals_visible_to shows that service its own)."""
    return policy.marac_referrals_visible_to(user).filter(referral_id=referral.pk, sealed=True).first()


def actions_with_text(marac: MaracReferral) -> list[tuple]:
    """Each action with its words unsealed (the caller holds the policy decision: get_marac_for_user)."""
    return [(a, (marac.survivor.unseal(a.text_sealed) or {}).get("text", "")) for a in marac.actions.all()]
