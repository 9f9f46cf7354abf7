"""The directory's panel on a service manager's home: her services' capacity and whether they take referrals."""

from __future__ import annotations

from django.urls import reverse

from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register
from carehub.directory import selectors


@register(Role.SERVICE_MANAGER, order=10)  # below her cases and offers: the day's work comes first
def capacity_panel(user, membership) -> Panel | None:
    services = [s for s in selectors.services_managed(user=user) if s.organisation_id == membership.organisation_id]
    if not services:
        return None
    links = [
        Link(f"{s.name}: capacity {s.capacity}, {_taking(s)}", reverse("directory:capacity", kwargs={"pk": s.pk}))
        for s in services
    ]
    return Panel(
        f"Your services at {membership.organisation.name}",
        "Change a service's capacity, or stop and restart referrals. The hub routes its next referral on what you set.",
        links,
    )


def _taking(service) -> str:
    return "taking referrals" if service.accepting_referrals else "not taking referrals"
