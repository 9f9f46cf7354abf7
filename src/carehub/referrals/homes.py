"""Referrals' panels on the signed-in home (core.homes registers them; referrals.apps imports this module)."""

from __future__ import annotations

from django.urls import reverse

from carehub.accounts import policy
from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register
from carehub.referrals.models import Status


@register(Role.REFERRER)
def referrer_panel(user, membership) -> Panel:
    sent = policy.referrals_sent_by(user).count()
    return Panel(
        f"Referrer at {membership.organisation.name}",
        "Refer someone to the hub and follow the status of referrals your organisation has sent.",
        [
            Link("Make a referral", reverse("referrals:new")),
            Link("Referrals your organisation sent", reverse("referrals:sent"), sent),
        ],
    )


@register(Role.HUB_WORKER)
def hub_worker_panel(user, membership) -> Panel:
    waiting = policy.referrals_visible_to(user).filter(status__in=[Status.RECEIVED, Status.IN_TRIAGE]).count()
    return Panel(
        f"Hub worker at {membership.organisation.name}",
        "Triage new referrals and route each survivor to the service that fits her best.",
        [Link("Referrals waiting for triage", reverse("referrals:queue"), waiting)],
    )
