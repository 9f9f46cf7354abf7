from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.accounts.models import Role
from carehub.cases.models import CaseStatus

CASE_ROLES = (Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER)


@policy.route(*CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    cases = (
        policy.cases_visible_to(request.user)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("service", "caseworker", "referral")
        .order_by("accepted_at")
    )
    return render(request, "cases/list.html", {"page": Paginator(cases, 50).get_page(request.GET.get("page"))})


@policy.route(*CASE_ROLES)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = policy.get_case_for_user(request.user, pk)
    context = {
        "case": case,
        "identity": case.survivor.identity,
        "survivor": case.survivor,
        "show_immigration": policy.can_see_immigration_status(request.user),
    }
    return render(request, "cases/detail.html", context)
