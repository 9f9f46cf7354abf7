"""Reads of the retention app through the access policy: the holds and runs a user may see. (Whether a survivor is on
legal hold is services.on_legal_hold: the rights app's services ask it, and services never reach the policy.)"""

from __future__ import annotations

from django.db.models import QuerySet

from carehub.accounts import policy
from carehub.core import public_ids
from carehub.retention.models import LegalHold


def holds_for(user) -> QuerySet[LegalHold]:
    return (
        policy.legal_holds_visible_to(user)
        .select_related("placed_by", "lifted_by")
        .prefetch_related("survivor__referrals")
    )


def hold_for(user, public_id: str) -> LegalHold | None:
    return holds_for(user).filter(public_id=public_ids.parse(public_id)).first()
