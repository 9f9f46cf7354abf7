"""What each role's signed-in home offers. Counts come from policy selectors, so a home never shows more than
the user could open."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from carehub.accounts import policy
from carehub.accounts.models import Membership, Role
from carehub.cases.models import CaseStatus
from carehub.referrals.models import Status


@dataclass
class Link:
    text: str
    url: str
    count: int | None = None


@dataclass
class Panel:
    title: str
    description: str
    links: list[Link] = field(default_factory=list)


def _panel_for(user, membership: Membership) -> Panel:
    org = membership.organisation.name
    role = membership.role
    if role == Role.REFERRER:
        sent = policy.referrals_sent_by(user).count()
        return Panel(
            f"Referrer at {org}",
            "Refer someone to the hub and follow the status of referrals your organisation has sent.",
            [
                Link("Make a referral", reverse("referrals:new")),
                Link("Referrals your organisation sent", reverse("referrals:sent"), sent),
            ],
        )
    if role == Role.HUB_WORKER:
        waiting = policy.referrals_visible_to(user).filter(status__in=[Status.RECEIVED, Status.IN_TRIAGE]).count()
        return Panel(
            f"Hub worker at {org}",
            "Triage new referrals and route each survivor to the service that fits her best.",
            [Link("Referrals waiting for triage", reverse("referrals:queue"), waiting)],
        )
    if role in {Role.CASEWORKER, Role.SERVICE_MANAGER, Role.INDEPENDENT_ADVISER}:
        open_cases = policy.cases_visible_to(user).exclude(status=CaseStatus.CLOSED).count()
        title = {"caseworker": "Caseworker", "service_manager": "Service manager"}.get(role, "Independent adviser")
        links = [Link("Open cases", reverse("cases:list"), open_cases)]
        if role == Role.CASEWORKER:
            links.append(Link("Your caseload", reverse("cases:caseload")))
        else:
            waiting = policy.cases_visible_to(user).filter(status=CaseStatus.WAITING).count()
            links.append(Link("Waiting list", reverse("cases:waiting"), waiting))
        if role == Role.SERVICE_MANAGER:
            links.append(Link("Caseloads", reverse("cases:caseload")))
        if membership.organisation.is_independent_advisory:
            links.append(Link("Accountability report", reverse("independent:accountability")))
        if role == Role.SERVICE_MANAGER:
            offered = policy.offers_visible_to(user).filter(status="pending").count()
            links.insert(0, Link("Referrals offered to your services", reverse("referrals:inbox"), offered))
        return Panel(
            f"{title} at {org}",
            "Your service's cases." if role != Role.CASEWORKER else "The cases allocated to you.",
            links,
        )
    if role == Role.COMMISSIONER:
        return Panel(
            f"Commissioner at {org}",
            "Aggregate figures on demand, waits and who the hub reaches. No record of any person is shown.",
            [
                Link("Equality impact: who the hub reaches and who is left behind", reverse("equality:index")),
                Link(
                    "Accountability report: abuse by police officers and staff", reverse("independent:accountability")
                ),
                Link("Service directory", reverse("directory:list")),
            ],
        )
    if role == Role.AUDITOR:
        return Panel(
            f"Auditor at {org}",
            "Search the audit trail and see who has looked at any survivor's record.",
            [Link("Audit trail", reverse("audit:events"))],
        )
    return Panel(
        f"Administrator at {org}",
        "Organisations, services and users. Case content is not visible to administrators.",
        [
            Link("Organisations and users", reverse("administration:organisations")),
            Link("Break-glass access to a record", reverse("administration:break_glass")),
            Link("Service directory", reverse("directory:list")),
        ],
    )


def panels_for(user) -> list[Panel]:
    return [_panel_for(user, m) for m in policy.memberships(user)]
