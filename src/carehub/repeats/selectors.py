"""Reads for the pages: suggestions for a hub worker, and a survivor's history, always through the access policy.

Suggestions are for hub workers alone and never for a sealed referral (policy.can_decide_repeats). Her history lists
only the referrals and case outlines the reader may see (policy.referrals_visible_to, policy.case_outlines_visible_to).
Every record of another survivor that a page shows (a suggested earlier referral, a linked referral in her history)
is audited as viewed, so that survivor's access report shows who saw it and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from carehub.accounts import policy
from carehub.accounts.models import User
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case
from carehub.referrals.models import Referral
from carehub.repeats.matching import Suggestion, linked_survivor_ids, suggest_matches
from carehub.repeats.models import MatchDecision


def suggestions_for(*, user: User, referral: Referral) -> list[Suggestion]:
    """The possible earlier referrals a hub worker is shown on a referral's page; nothing for anyone else, and
    nothing for a sealed referral. Each one shown is an earlier referral the user may open, and each is audited as
    seen (her survivor is named in the event), after one event for the search itself."""
    if referral.sealed or not policy.can_decide_repeats(user):
        return []
    suggestions = suggest_matches(referral)
    visible = set(
        policy.referrals_visible_to(user)
        .filter(pk__in=[s.earlier_referral.pk for s in suggestions])
        .values_list("pk", flat=True)
    )
    shown = [s for s in suggestions if s.earlier_referral.pk in visible]
    audit.record_for(
        user, Action.SEARCH, referral, changes={"repeat_suggestions": len(shown)}, event=EventType.REPEATS_SUGGESTED
    )
    for suggestion in shown:
        audit.record_for(
            user,
            Action.VIEW,
            suggestion.earlier_referral,
            reason=f"suggested as a possible earlier referral of {referral.reference}",
            changes={"probability": round(suggestion.probability, 4)},
            event=EventType.REPEAT_SUGGESTION_VIEWED,
        )
    return shown


def decisions_on(*, user: User, referral: Referral) -> QuerySet[MatchDecision]:
    """Hub workers' decisions on this referral's suggestions (who, when, which way), for the hub only."""
    if referral.sealed or not policy.can_decide_repeats(user):
        return MatchDecision.objects.none()
    decisions = referral.match_decisions.select_related("earlier_referral", "decided_by", "undone_by")
    return decisions.order_by("decided_at", "pk")


@dataclass
class HistoryEntry:
    """One of her other referrals, and the outline of its cases (service, dates, closure; never their content)."""

    referral: Referral
    cases: list[Case] = field(default_factory=list)


def history_for(*, user: User, referral: Referral) -> list[HistoryEntry]:
    """Her other referrals, oldest first: her own survivor's and those of every survivor confirmed to be her.

    Only what this user may see is listed, so the page never says she was supported somewhere the user has no business
    knowing about; the case outlines follow policy.case_outlines_visible_to. Empty when there is nothing to show.
    """
    people = linked_survivor_ids(referral.survivor_id)
    others = list(
        policy.referrals_visible_to(user)
        .filter(survivor_id__in=people)
        .exclude(pk=referral.pk)
        .only("pk", "reference", "received_at", "status", "is_repeat", "survivor_id", "sealed")
        .order_by("received_at", "pk")
    )
    if not others:
        return []
    for other in others:
        if other.survivor_id != referral.survivor_id:  # her own survivor's view is already recorded by the page
            audit.record_for(
                user,
                Action.VIEW,
                other,
                reason=f"in the history of referral {referral.reference}",
                event=EventType.REPEAT_HISTORY_VIEWED,
            )
    entries = {r.pk: HistoryEntry(r) for r in others}
    cases = (
        policy.case_outlines_visible_to(user)
        .filter(referral_id__in=list(entries))
        .select_related("service")
        .order_by("accepted_at", "pk")
    )
    for case in cases:
        entries[case.referral_id].cases.append(case)
    return list(entries.values())
