"""The hub worker's answer to a suggested earlier referral. The suggestions themselves show on the referral's page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from carehub.accounts import policy
from carehub.core import public_ids
from carehub.core.actions import attempt
from carehub.core.choices import Role
from carehub.repeats import forms, selectors, services


@require_POST
@policy.route(Role.HUB_WORKER, check=policy.can_decide_repeats)
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Confirm that a suggested earlier referral is the same woman, or say she is not. Both referrals are named by
    reference, the URL's and the form's; anything outside the user's scope answers 404."""
    referral = policy.get_referral_for_user(request.user, reference)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether this is the same person.")
        return redirect("referrals:detail", reference=referral.reference)
    earlier = policy.referrals_visible_to(request.user).filter(reference=form.cleaned_data["earlier"]).first()
    if earlier is None:
        raise Http404
    outcome = form.cleaned_data["decision"]
    result = attempt(
        lambda: services.match_decide(actor=request.user, referral=referral, earlier=earlier, outcome=outcome)
    )
    if not result.ok:
        messages.error(request, result.error)
    else:
        referral.refresh_from_db(fields=["is_repeat"])
        if form.is_rejection():
            messages.success(request, f"Recorded: not the same person as referral {earlier.reference}.")
        elif referral.is_repeat:
            messages.success(request, f"Linked to referral {earlier.reference}: this is a repeat referral.")
        else:
            messages.success(request, f"Linked to referral {earlier.reference}: her history is below.")
    return redirect("referrals:detail", reference=referral.reference)


@require_POST
@policy.route(Role.HUB_WORKER, check=policy.can_decide_repeats)
def undo(request: HttpRequest, reference: str) -> HttpResponse:
    """Undo a confirmed link found to be wrong, with the reason. Only a decision on this referral, which the user may
    see, can be undone from its page; any other answers 404."""
    referral = policy.get_referral_for_user(request.user, reference)
    form = forms.UndoForm(request.POST)
    if not form.is_valid():
        raise Http404
    decision = selectors.decisions_on(user=request.user, referral=referral).filter(
        public_id=public_ids.parse(form.cleaned_data["decision"])
    )
    decision = decision.first()
    if decision is None:
        raise Http404
    reason = form.cleaned_data["reason"]
    result = attempt(lambda: services.match_undo(actor=request.user, decision=decision, reason=reason))
    if not result.ok:
        messages.error(request, result.error)
    else:
        messages.success(
            request,
            f"Link undone: referral {decision.earlier_referral.reference} is no longer treated as the same person.",
        )
    return redirect("referrals:detail", reference=referral.reference)
