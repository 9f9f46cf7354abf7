"""Cases' panel on the signed-in home (core.homes registers it; cases.apps imports this module)."""

from __future__ import annotations

from django.urls import reverse

from carehub.accounts import policy
from carehub.cases.closure_requests import closures_to_confirm
from carehub.cases.models import CaseStatus
from carehub.core.choices import Role
from carehub.core.homes import Link, Panel, register


@register(Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER)
def case_panel(user, membership) -> Panel:
    role = membership.role
    title = {"caseworker": "Caseworker", "service_manager": "Service manager"}.get(role, "Independent adviser")
    if not membership.organisation.provides_services:
        # The hub's manager (a service manager of the hub, accounts.policy): the hub runs no service, so she has no
        # cases, offers, consultations or feedback of her own to link to; her work is in the panels below it.
        return Panel(
            f"{title} at {membership.organisation.name}",
            "The hub's manager: the hub's subject access and erasure requests, and its legal holds.",
        )
    open_cases = policy.cases_visible_to(user).exclude(status=CaseStatus.CLOSED).count()
    links = [Link("Open cases", reverse("cases:list"), open_cases)]
    if role == Role.CASEWORKER:
        links.append(Link("Your caseload", reverse("cases:caseload")))
    else:
        waiting = policy.cases_visible_to(user).filter(status=CaseStatus.WAITING).count()
        links.append(Link("Waiting list", reverse("cases:waiting"), waiting))
    if role == Role.SERVICE_MANAGER:
        links.append(Link("Caseloads", reverse("cases:caseload")))
        links.append(Link("Closures to confirm", reverse("cases:closures"), closures_to_confirm(user).count()))
    if membership.organisation.is_independent_advisory:
        links.append(Link("Accountability report", reverse("independent:accountability")))
    if role == Role.SERVICE_MANAGER:
        offered = policy.offers_visible_to(user).filter(status="pending").count()
        links.insert(0, Link("Referrals offered to your services", reverse("referrals:inbox"), offered))
        if not membership.organisation.is_independent_advisory:  # co-production's pages, by URL name
            links.append(Link("Consultations on the plan's commitments", reverse("coproduction:consultations")))
            links.append(Link("Survivors' feedback on your services", reverse("coproduction:feedback_results")))
    return Panel(
        f"{title} at {membership.organisation.name}",
        "Your service's cases." if role != Role.CASEWORKER else "The cases allocated to you.",
        links,
    )
