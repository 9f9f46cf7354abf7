"""The people who sign in: the demo personas (the seeder's, passed in), plus generated hub workers, managers and
caseworkers per service.

Caseworkers are drawn per service so cases can be allocated among a realistic few. The personas a demo user signs in
as take their place in those pools (the caseworker persona is one of Quaymarsh IDVA's caseworkers, and so on).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from carehub.synthetic import london
from carehub.synthetic.census import Census
from carehub.synthetic.codes import Role
from carehub.synthetic.directory import Directory
from carehub.synthetic.heritage import ETHNICITY_HERITAGES, HERITAGE_INDEX, HERITAGES

HUB_WORKERS = 5
CASES_PER_CASEWORKER = 25  # places a caseworker holds: sets how many caseworkers a service has


@dataclass(frozen=True)
class StaffMember:
    username: str
    full_name: str
    organisation_slug: str
    role: str
    persona: bool = False


@dataclass
class Staff:
    members: list[StaffMember]
    pools: list[np.ndarray]  # per service index: the members (indices) who hold its cases
    managers: dict[str, int]  # organisation slug -> the member who manages its services
    hub_workers: list[int]

    def index(self, username: str) -> int:
        return next(i for i, m in enumerate(self.members) if m.username == username)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: for usernames and email addresses built from names."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


class _Namer:
    """Diverse, unique staff names drawn from London's mix."""

    def __init__(self, rng: np.random.Generator, census: Census) -> None:
        self.rng = rng
        shares = census.london_shares()
        self.weights: dict[int, float] = {}
        for category, share in shares.items():
            for heritage, w in ETHNICITY_HERITAGES[category].items():
                key = HERITAGE_INDEX[heritage]
                self.weights[key] = self.weights.get(key, 0.0) + share * w
        self.taken: set[str] = set()

    def next(self) -> tuple[str, str]:
        keys = list(self.weights)
        p = np.array([self.weights[k] for k in keys])
        heritage = HERITAGES[keys[self.rng.choice(len(keys), p=p / p.sum())]]
        given = heritage.women[self.rng.integers(len(heritage.women))]
        family = heritage.family[self.rng.integers(len(heritage.family))]
        base = f"{ascii_slug(given)}.{ascii_slug(family)}"
        username, n = base, 1
        while username in self.taken:
            n += 1
            username = f"{base}{n}"
        self.taken.add(username)
        return username, f"{given} {family}"


def build_staff(
    rng: np.random.Generator, census: Census, directory: Directory, personas: Sequence[StaffMember]
) -> Staff:
    """`personas` (persona=True) come first, in their order, and take their places in the pools they work in."""
    members = list(personas)
    namer = _Namer(rng, census)
    namer.taken.update(m.username for m in members)

    def add(org_slug: str, role: str) -> int:
        username, full_name = namer.next()
        members.append(StaffMember(username, full_name, org_slug, str(role)))
        return len(members) - 1

    hub_workers = [i for i, m in enumerate(members) if m.role == Role.HUB_WORKER]
    hub_workers += [add(london.HUB_SLUG, Role.HUB_WORKER) for _ in range(HUB_WORKERS)]
    persona_caseworkers = {
        p.organisation_slug: i for i, p in enumerate(personas) if p.role in (Role.CASEWORKER, Role.INDEPENDENT_ADVISER)
    }
    managers = {m.organisation_slug: i for i, m in enumerate(members) if m.role == Role.SERVICE_MANAGER}
    pools: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(directory)
    for org in london.PROVIDERS:
        if org.slug not in managers:
            managers[org.slug] = add(org.slug, Role.SERVICE_MANAGER)
        role = Role.INDEPENDENT_ADVISER if org.slug == london.IAS_SLUG else Role.CASEWORKER
        for row in (r for r in directory.rows if r.org.slug == org.slug):
            size = int(np.clip(round(row.spec.places / CASES_PER_CASEWORKER), 2, 6))
            pool = []
            if org.slug in persona_caseworkers and row.index == directory.first_service_of(org.slug):
                pool.append(persona_caseworkers[org.slug])
            pool += [add(org.slug, role) for _ in range(size - len(pool))]
            pools[row.index] = np.array(pool, dtype=np.int64)
    return Staff(members=members, pools=pools, managers=managers, hub_workers=hub_workers)
