"""Her earlier referrals, as triage reads them: the DASH asks whether she was referred to MARAC before.

Nothing here writes, and nothing asks the access policy: the hub's triage (services.referral_triage) and the sealed
pathway's assessment (risk.referral_assess_sealed) both call it, and a module a service imports may not import the
policy (the import contract's "models and services never import the access policy").
"""

from __future__ import annotations

from carehub.referrals import dash
from carehub.referrals.models import Referral


def previous_marac(referral: Referral, same_perpetrator: bool, criminal: bool) -> dash.PreviousMarac | None:
    """Her latest other referral that went to MARAC, with the triage's answers about it; None when none did."""
    earlier = (
        Referral.objects.filter(survivor=referral.survivor, marac=True)
        .exclude(pk=referral.pk)
        .order_by("-received_at")
        .first()
    )
    if earlier is None:
        return None
    return dash.PreviousMarac(earlier.received_at.date(), same_perpetrator, criminal)
