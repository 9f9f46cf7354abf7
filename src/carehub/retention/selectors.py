"""Reads of the retention app: whether a survivor is on legal hold (for the rights app and the run), and the holds
and runs a user may see, through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from carehub.accounts import policy
from carehub.core import public_ids
from carehub.people.models import Survivor
from carehub.retention.models import LegalHold, RetentionRun


def on_legal_hold(survivor: Survivor) -> bool:
    """True while any hold on her is not lifted: retention and erasure on request must both leave her records be."""
    return LegalHold.objects.filter(survivor_id=survivor.pk, lifted_at__isnull=True).exists()


def holds_for(user) -> QuerySet[LegalHold]:
    return (
        policy.legal_holds_visible_to(user)
        .select_related("placed_by", "lifted_by")
        .prefetch_related("survivor__referrals")
    )


def hold_for(user, public_id: str) -> LegalHold | None:
    return holds_for(user).filter(public_id=public_ids.parse(public_id)).first()


def latest_runs(limit: int = 10) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.all()[:limit]
