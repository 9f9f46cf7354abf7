"""What each role's signed-in home offers. Counts come from policy selectors, so a home never shows more than
the user could open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from carehub.accounts import policy
from carehub.core.choices import Role


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


PanelBuilder = Callable[[Any, Any], "Panel | None"]  # (user, membership) -> the panel, or None

# Panels that list an app's records are built by that app (referrals.homes, cases.homes), registered from its ready():
# core sits below every app and must not import them (.importlinter).
# A role may have panels from several apps (a service manager's cases from cases, her services' capacity from
# directory), shown by `order`, then in the order the apps registered them.
_builders: dict[str, list[tuple[int, PanelBuilder]]] = {}


def register(*roles: str, order: int = 0) -> Callable[[PanelBuilder], PanelBuilder]:
    """Decorator: this function builds a home panel of a membership in one of `roles` (None: no panel this time).
    A higher `order` puts the panel lower on the page."""

    def decorate(builder: PanelBuilder) -> PanelBuilder:
        for role in roles:
            builders = _builders.setdefault(role, [])
            if all(existing is not builder for _, existing in builders):
                builders.append((order, builder))
                builders.sort(key=lambda entry: entry[0])  # stable: equal orders keep registration order
        return builder

    return decorate


def _panels_for(user, membership) -> list[Panel]:
    if membership.role in _builders:
        built = (build(user, membership) for _, build in _builders[membership.role])
        return [panel for panel in built if panel is not None]
    return [_default_panel(user, membership)]


def _default_panel(user, membership) -> Panel:
    org = membership.organisation.name
    role = membership.role
    if role == Role.COMMISSIONER:
        return Panel(
            f"Commissioner at {org}",
            "Aggregate figures on demand, waits and who the hub reaches. No record of any person is shown.",
            [
                Link("Equality impact: who the hub reaches and who is left behind", reverse("equality:index")),
                Link(
                    "Accountability report: abuse by police officers and staff", reverse("independent:accountability")
                ),
                Link("Commitments, consultations and what was done", reverse("coproduction:commitments")),
                Link("Survivors' feedback on the support they had", reverse("coproduction:feedback_results")),
                Link("Funding reaching by-and-for services", reverse("coproduction:funding")),
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
            Link("Organisations", reverse("administration:organisations")),
            Link("Services", reverse("service_administration:services")),
            Link("Users", reverse("administration:users")),
            Link("API keys", reverse("administration:api_keys")),
            Link("Break-glass access to a record", reverse("administration:break_glass")),
            Link("Service directory", reverse("directory:list")),
        ],
    )


def panels_for(user) -> list[Panel]:
    return [panel for m in policy.memberships(user) for panel in _panels_for(user, m)]
