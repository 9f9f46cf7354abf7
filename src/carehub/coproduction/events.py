"""What co-production tells people: the daily notice that a case has reached 12 weeks, when the woman may be offered
the feedback questionnaire (issue 18: "at 12 weeks for longer cases").

Nothing else prompts that offer (closure has its own place on the closing page), and a caseworker who is not told
forgets it. The notice is like the other sweeps' (carehub.alerts.events): its text names nothing personal, its link is
the offer page, and it goes only to someone whose own scope (accounts.policy) lets her make the offer. It is written
before any feedback exists and names no token, so it joins nothing to her answers.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import User
from carehub.cases.models import Case, CaseStatus
from carehub.coproduction.models import FeedbackMoment, FeedbackOffer
from carehub.coproduction.services import TWELVE_WEEKS
from carehub.notifications.models import Kind, Notification
from carehub.notifications.services import notify

TWELVE_WEEK_TEXT = "A case of yours has reached 12 weeks: you may offer the feedback questionnaire."


def twelve_week_key(case_pk: int) -> str:
    return f"feedback_due:{case_pk}"


def twelve_week_sweep(*, now: dt.datetime | None = None) -> int:
    """Open cases that have reached 12 weeks of support and have not had the 12-week offer: their caseworker is told,
    once per case (a case whose notice went to an earlier caseworker is not told again). Returns how many were told.

    Sealed cases are never told: the sealed pathway offers no feedback link (policy.can_offer_feedback), so a notice
    would send the independent service to a page that refuses it. As the other sweeps do, the caseworker is told only
    while her own scope holds the case: not after she has left the service, never as a police user.
    """
    moment = now or timezone.now()
    already = set(Notification.objects.filter(kind=Kind.FEEDBACK_DUE).values_list("event_key", flat=True))
    cases = (
        Case.objects.filter(
            status=CaseStatus.OPEN, sealed=False, caseworker__isnull=False, opened_at__lte=moment - TWELVE_WEEKS
        )
        .exclude(pk__in=FeedbackOffer.objects.filter(moment=FeedbackMoment.TWELVE_WEEKS).values("case_id"))
        .order_by("pk")
    )
    due = [case for case in cases if twelve_week_key(case.pk) not in already]
    caseworkers = {u.pk: u for u in User.objects.filter(pk__in={c.caseworker_id for c in due}, is_active=True)}
    told = 0
    for case in due:
        user = caseworkers.get(case.caseworker_id)
        if user is None or not policy.can_offer_feedback(user, case):
            continue
        notify(
            recipient_ids=[user.pk],
            kind=Kind.FEEDBACK_DUE,
            text=TWELVE_WEEK_TEXT,
            link=reverse("coproduction:feedback_offer", kwargs={"public_id": case.public_id}),
            event_key=twelve_week_key(case.pk),
        )
        told += 1
    return told
