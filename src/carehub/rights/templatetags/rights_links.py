"""`{% load rights_links %}{% rights_links survivor %}`: links to her rights pages from the referral and case pages.

Referrals and cases sit below rights and must not import it (.importlinter): the page names the tag, rights decides.
The links cost no query (the pages' query counts are pinned): they show for roles that may use the pages, and the
pages themselves decide, survivor by survivor, through the access policy (404 outside scope).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.template.loader import render_to_string

from carehub.accounts import policy

if TYPE_CHECKING:
    from carehub.people.models import Survivor

register = template.Library()


@register.simple_tag(takes_context=True)
def rights_links(context: template.Context, survivor: Survivor | None) -> str:
    request = context.get("request")
    if survivor is None or request is None or survivor.is_erased:
        return ""
    links = {
        "survivor": survivor,
        "correct": policy.can_correct_details(request.user),
        "requests": policy.can_handle_rights(request.user),
    }
    if not (links["correct"] or links["requests"]):
        return ""
    return render_to_string("rights/_links.html", links, request=request)
