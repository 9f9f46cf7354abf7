"""The demo's sign-in accounts: one per role, printed by `make demo` (`carehub demo logins`).

The organisation keys refer to organisations the seeder creates (see `carehub.synthetic.london`). Demo accounts exist
only in demo mode: the seeder refuses to run when CAREHUB_ENV=production.
"""

from __future__ import annotations

from dataclasses import dataclass

from carehub.accounts.models import Role

# Published on purpose: it only opens synthetic data on a developer's machine.
DEMO_PASSWORD = "care-hub-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    organisation_slug: str
    role: str
    description: str


PERSONAS: tuple[Persona, ...] = (
    Persona("hub", "Hana Okafor", "london-victim-care-hub", Role.HUB_WORKER, "hub worker: triage and routing"),
    Persona(
        "caseworker", "Alice Moreno", "quaymarsh-womens-service", Role.CASEWORKER, "caseworker at a specialist service"
    ),
    Persona(
        "manager", "Amara Lewis", "quaymarsh-womens-service", Role.SERVICE_MANAGER, "manager of a specialist service"
    ),
    Persona("byandfor", "Bola Adeyemi", "kestrel-rise", Role.CASEWORKER, "caseworker at a by-and-for service"),
    Persona("adviser", "Ines Walsh", "independent-advisory-service", Role.INDEPENDENT_ADVISER, "independent adviser"),
    Persona("police", "PC Percy Grant", "metropolitan-police", Role.REFERRER, "police referrer"),
    Persona("health", "Dr Gina Shah", "eastfield-general-hospital", Role.REFERRER, "health referrer"),
    Persona("commissioner", "Cora Bennett", "mopac", Role.COMMISSIONER, "commissioner: aggregates only"),
    Persona("auditor", "Otto Fischer", "london-victim-care-hub", Role.AUDITOR, "auditor: the audit trail"),
    Persona("admin", "Adam Clarke", "london-victim-care-hub", Role.ADMINISTRATOR, "administrator: configuration"),
)
