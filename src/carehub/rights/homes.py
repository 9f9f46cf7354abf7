"""Her rights' panel on a manager's home: the requests her organisation must answer (core.homes registers it;
rights.apps imports this module). No count, so the home asks the database nothing more; the list is one click away."""

from __future__ import annotations

from django.urls import reverse

from carehub.accounts import policy
from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register


@register(Role.SERVICE_MANAGER, order=30)  # below the day's work, her services and their evidence
def rights_panel(user, membership) -> Panel | None:
    if membership.organisation not in policy.rights_organisations(user):
        return None
    url = reverse("rights:index") + f"?org={membership.organisation.slug}"
    return Panel(
        "Her rights over her data",
        f"Subject access and erasure requests {membership.organisation.name} must answer: a subject access request "
        "within one calendar month.",
        [Link("Subject access and erasure requests", url)],
    )
