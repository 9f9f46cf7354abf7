from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.accounts.models import Role
from carehub.referrals import selectors


@policy.route(Role.REFERRER)
def sent(request: HttpRequest) -> HttpResponse:
    """Status only: a referrer never sees the survivor's details back."""
    page = Paginator(selectors.sent_by(user=request.user).only("reference", "status", "received_at"), 50)
    return render(request, "referrals/sent.html", {"page": page.get_page(request.GET.get("page"))})


@policy.route(Role.HUB_WORKER)
def queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.triage_queue(user=request.user), 50)
    return render(request, "referrals/queue.html", {"page": page.get_page(request.GET.get("page"))})


@policy.route(Role.HUB_WORKER, Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER)
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = policy.get_referral_for_user(request.user, reference)
    context = {
        "referral": referral,
        "identity": referral.survivor.identity,
        "survivor": referral.survivor,
        "show_immigration": policy.can_see_immigration_status(request.user),
    }
    return render(request, "referrals/detail.html", context)
