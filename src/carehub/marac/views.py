"""MARAC pages: the list per borough, and one MARAC referral with its meeting, actions and outcome."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.accounts import policy
from carehub.core import public_ids
from carehub.core.actions import attempt
from carehub.core.london import BOROUGHS
from carehub.marac import selectors, services
from carehub.marac.forms import FORMS

# A borough's MARAC hears tens of cases a meeting; a list longer than this is narrowed by borough, not paged.
LIST_LIMIT = 200


@policy.route(check=policy.can_work_marac)
def marac_list(request: HttpRequest) -> HttpResponse:
    borough = request.GET.get("borough", "")
    if borough not in BOROUGHS:
        borough = ""
    heard = request.GET.get("heard") == "1"
    context = {
        "rows": [
            (m, BOROUGHS.get(m.borough, m.borough))
            for m in selectors.marac_list(request.user, borough=borough, heard=heard)[:LIST_LIMIT]
        ],
        "boroughs": selectors.borough_choices(request.user),
        "borough": borough,
        "borough_name": BOROUGHS.get(borough, ""),
        "heard": heard,
    }
    return render(request, "marac/list.html", context)


def _act(request: HttpRequest, marac, action: str, data: dict) -> None:
    if action == "meeting":
        services.marac_meeting_set(actor=request.user, marac=marac, meeting_date=data["meeting_date"])
    elif action == "action":
        services.marac_action_add(actor=request.user, marac=marac, **data)
    elif action == "done":
        chosen = marac.actions.filter(public_id=public_ids.parse(data["action"])).first()
        if chosen is None:
            raise Http404
        services.marac_action_done(actor=request.user, action=chosen)
    else:
        services.marac_outcome_record(actor=request.user, marac=marac, outcome=data["outcome"])


@policy.route(check=policy.can_work_marac)
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    marac = policy.get_marac_for_user(request.user, public_id)
    action = request.POST.get("form", "")
    bound = {name: cls(request.POST if action == name else None, prefix=name) for name, cls in FORMS.items()}
    if request.method == "POST" and action in bound and bound[action].is_valid():
        result = attempt(lambda: _act(request, marac, action, bound[action].cleaned_data), form=bound[action])
        if result.ok:
            messages.success(request, "Saved.")
            return redirect("marac:detail", public_id=marac.public_id)
        if result.error:
            bound[action].add_error(None, result.error)
    context = {
        "marac": marac,
        "borough_name": BOROUGHS.get(marac.borough, marac.borough),
        "actions": selectors.actions_with_text(marac),
        "forms": bound,
        "forms_with_errors": [f for f in bound.values() if f.errors],
        "shows_referral": policy.referrals_visible_to(request.user).filter(pk=marac.referral_id).exists(),
    }
    has_errors = any(f.errors for f in bound.values())
    return render(request, "marac/detail.html", context, status=400 if has_errors else 200)
