"""Her MARAC history, as the services that act on her read it: whether a new MARAC referral is a repeat, and how
many agreed actions are still open when her case closes.

Nothing here writes, and nothing asks the access policy: services (marac_refer, cases' closure) call it, and a
module a service imports may not import the policy (the import contract's "models and services never import the
access policy"). Pages read MARAC referrals through selectors.py, which starts from the policy.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from carehub.marac.models import MaracAction, MaracReferral
from carehub.people.models import Survivor
from carehub.referrals.models import Referral

REPEAT_WINDOW = dt.timedelta(days=365)


def linked_survivors(survivor: Survivor) -> Q:
    """Her own record and every record a hub worker has confirmed is the same woman (`Survivor.person`)."""
    person = survivor.person_id or survivor.pk
    return Q(survivor_id=person) | Q(survivor__person_id=person)


def is_repeat(survivor: Survivor, *, on: dt.date, sealed: bool, exclude_referral: Referral | None = None) -> bool:
    """A MARAC referral of hers (any linked record) in the 12 months before `on` makes this one a repeat.

    A referral outside the sealed pathway never counts a sealed one: the flag is seen by the hub, and would tell it
    she had been to MARAC through the independent service (nothing outside it may change when a sealed record does).
    """
    earlier = MaracReferral.objects.filter(linked_survivors(survivor), referred_on__gte=on - REPEAT_WINDOW)
    if not sealed:
        earlier = earlier.filter(sealed=False)
    if exclude_referral is not None:
        earlier = earlier.exclude(referral=exclude_referral)
    return earlier.exists()


def open_actions(survivor_id: int, referral_ids) -> int:
    """How many MARAC actions are still open for these referrals: a case closing with any asks a manager."""
    return MaracAction.objects.filter(
        marac__survivor_id=survivor_id, marac__referral_id__in=referral_ids, done_at__isnull=True
    ).count()
