"""Repeats' panels on other apps' pages: `{% load repeats_panels %}`, then `{% repeat_suggestions referral %}` (the
referral page) or `{% repeat_history referral %}` (the referral and case pages).

Referrals and cases sit below repeats and must not import it (.importlinter); a template tag lets their pages show
repeats' panel while the dependency points the right way: the template names the tag, repeats does the reading, through
the access policy as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.template.loader import render_to_string

from carehub.accounts import policy
from carehub.repeats import selectors

if TYPE_CHECKING:
    from carehub.referrals.models import Referral

register = template.Library()


@register.simple_tag(takes_context=True)
def repeat_suggestions(context: template.Context, referral: Referral) -> str:
    """Suggested earlier survivors and decisions already made, for a hub worker who may decide; nothing otherwise."""
    request = context["request"]
    if referral.sealed or not policy.can_decide_repeats(request.user):
        return ""
    panel = {
        "referral": referral,
        "repeat_suggestions": selectors.suggestions_for(user=request.user, referral=referral),
        "repeat_decisions": selectors.decisions_on(user=request.user, referral=referral),
    }
    return render_to_string("repeats/suggestions.html", panel, request=request)


@register.simple_tag(takes_context=True)
def repeat_history(context: template.Context, referral: Referral) -> str:
    """Her other referrals this user may see, oldest first (selectors.history_for)."""
    request = context["request"]
    history = selectors.history_for(user=request.user, referral=referral)
    return render_to_string("repeats/history.html", {"repeat_history": history}, request=request)
