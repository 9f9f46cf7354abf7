"""Accounts' panel on the signed-in home: roles in the independent service awaiting its manager's confirmation
(core.homes registers it; accounts.apps imports this module)."""

from __future__ import annotations

from django.urls import reverse

from carehub.accounts import selectors
from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register


@register(Role.SERVICE_MANAGER, order=-10)
def roles_awaiting_confirmation(user, membership) -> Panel | None:
    """First on the page, and only while something waits: a role nobody confirms is a role nobody has."""
    if not membership.organisation.is_independent_advisory:
        return None
    pending = selectors.memberships_awaiting_decision(user=user).filter(organisation_id=membership.organisation_id)
    links = [
        Link(
            f"{m.user.username}: {m.get_role_display()}",
            reverse("accounts:membership_decision", kwargs={"pk": m.pk}),
        )
        for m in pending
    ]
    if not links:
        return None
    return Panel(
        f"Roles in {membership.organisation.name} awaiting your confirmation",
        "An administrator has given these roles. Nobody has them until a manager here confirms or refuses them.",
        links,
    )
