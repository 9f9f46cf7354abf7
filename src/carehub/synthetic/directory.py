"""The directory as arrays, for routing a million referrals at once, and the staff who work each service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from carehub.core.london import BOROUGHS
from carehub.synthetic import london
from carehub.synthetic.codes import AbuseType, ServiceType
from carehub.synthetic.london import OrgSpec, ServiceSpec

SERVICE_TYPES: tuple[str, ...] = tuple(t.value for t in ServiceType)
ABUSE_TYPES: tuple[str, ...] = tuple(a.value for a in AbuseType)
BOROUGH_CODES: tuple[str, ...] = tuple(BOROUGHS)


@dataclass(frozen=True)
class ServiceRow:
    index: int
    org: OrgSpec
    spec: ServiceSpec


@dataclass
class Directory:
    """Services in a fixed order (organisation by organisation, as in london.py), with their routing attributes."""

    rows: tuple[ServiceRow, ...]
    type_index: np.ndarray  # index into SERVICE_TYPES
    covers: np.ndarray  # (services, boroughs) bool
    all_london: np.ndarray
    accepts_men: np.ndarray
    accepts_nrpf: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    places: np.ndarray
    reach: np.ndarray  # share of London's population living in the area covered
    wait_days: np.ndarray
    by_and_for: np.ndarray
    communities: tuple[frozenset[str], ...]
    specialism_mask: np.ndarray  # bit k set when the service specialises in ABUSE_TYPES[k]
    weeks_before: np.ndarray  # commissioned support length under the previous contract
    weeks_now: np.ndarray  # ... and under the current one
    contract_switch: dt.date  # when the current contracts began

    def __len__(self) -> int:
        return len(self.rows)

    def index_of(self, name: str) -> int:
        return next(r.index for r in self.rows if r.spec.name == name)

    def first_service_of(self, slug: str) -> int:
        return next(r.index for r in self.rows if r.org.slug == slug)

    @property
    def ias(self) -> int:
        return self.first_service_of(london.IAS_SLUG)

    @property
    def fallback(self) -> int:
        """A pan-London IDVA service that takes anyone: where routing sends a referral nothing else fits."""
        return self.index_of("Pan-London IDVA Service")


def contract_switch(window_start: dt.date) -> dt.date:
    """Current contracts start on the first 1 April at least a year into the data, so both contracts show."""
    year = window_start.year + (2 if window_start.month >= 4 else 1)
    return dt.date(year, 4, 1)


def build_directory(window_start: dt.date, borough_population: np.ndarray) -> Directory:
    """The services of london.py as arrays; `borough_population` is in BOROUGH_CODES order."""
    rows = tuple(
        ServiceRow(i, org, spec)
        for i, (org, spec) in enumerate((org, spec) for org in london.PROVIDERS for spec in org.services)
    )
    specs = [r.spec for r in rows]
    covers = np.zeros((len(rows), len(BOROUGH_CODES)), dtype=bool)
    for r in rows:
        for code in r.spec.area:
            covers[r.index, BOROUGH_CODES.index(code)] = True
    covers_all = np.array([not s.area for s in specs])
    population = np.where(covers_all[:, None], True, covers) @ borough_population
    return Directory(
        rows=rows,
        type_index=np.array([SERVICE_TYPES.index(s.service_type) for s in specs]),
        covers=covers,
        all_london=covers_all,
        accepts_men=np.array([s.accepts_men for s in specs]),
        accepts_nrpf=np.array([s.accepts_nrpf for s in specs]),
        min_age=np.array([s.min_age for s in specs]),
        max_age=np.array([s.max_age or 200 for s in specs]),
        places=np.array([s.places for s in specs], dtype=float),
        reach=population / borough_population.sum(),
        wait_days=np.array([s.wait_days for s in specs], dtype=float),
        by_and_for=np.array([bool(r.org.communities) for r in rows]),
        communities=tuple(frozenset(r.org.communities) for r in rows),
        specialism_mask=np.array([sum(1 << ABUSE_TYPES.index(a) for a in s.specialisms) for s in specs]),
        weeks_before=np.array([s.weeks[0] for s in specs]),
        weeks_now=np.array([s.weeks[1] for s in specs]),
        contract_switch=contract_switch(window_start),
    )
