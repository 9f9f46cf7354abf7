"""The legal holds panel on a hub manager's home (and on the independent service's managers', for its own)."""

from __future__ import annotations

from django.urls import reverse

from carehub.accounts import policy
from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register
from carehub.retention import selectors


@register(Role.SERVICE_MANAGER, order=30)  # after the day's work: holds are rare
def holds_panel(user, membership) -> Panel | None:
    if not policy.membership_places_legal_holds(membership) or policy.is_police_user(user):
        return None
    active = selectors.holds_for(user).filter(lifted_at__isnull=True).count()
    return Panel(
        "Legal holds",
        "Keep a survivor's records past their retention date, and stop their erasure, while an order, a review or a "
        "claim needs them.",
        [Link("Legal holds", reverse("retention:holds"), active)],
    )
