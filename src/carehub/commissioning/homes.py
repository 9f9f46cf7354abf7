"""The commissioning panel on a service manager's home: a link to each of her services' own evidence (demand, waits,
waiting list and declines, from the published run; capacity from the directory), as the policy lets her see them."""

from __future__ import annotations

from django.urls import reverse

from carehub.commissioning import selectors
from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register


@register(Role.SERVICE_MANAGER, order=20)  # below her services' capacity: evidence after the day's work
def evidence_panel(user, membership) -> Panel | None:
    services = [s for s in selectors.services_with_evidence(user) if s.organisation_id == membership.organisation_id]
    if not services:
        return None
    return Panel(
        "Demand, waits and capacity for your services",
        "Referrals each month, how long women waited, how many are waiting and the offers declined, from the "
        "published commissioning evidence (small numbers are hidden), beside each service's capacity today.",
        [Link(s.name, reverse("commissioning:service", kwargs={"pk": s.pk})) for s in services],
    )
