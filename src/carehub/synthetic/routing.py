"""Route referrals to services the way the hub would.

A service of the type she needs, that covers her borough and takes her (sex, age, No Recourse to Public Funds),
weighted by its places per head in the area it covers, towards specialists in her abuse, and to a "led by and for"
service when she asks for one and one exists. Sealed referrals go to the independent advisory service only.

Where by-and-for provision is thin, a referral that asked for it ends with a mainstream service: a gap the equality
analysis should find, because it is there.
"""

from __future__ import annotations

import numpy as np

from carehub.synthetic.codes import Community
from carehub.synthetic.directory import Directory
from carehub.synthetic.sampling import NA

CHUNK = 50_000
BY_AND_FOR_MATCH = 40.0  # a by-and-for service for the community she asked for
BY_AND_FOR_OTHER = 0.03  # a by-and-for service for another community: rare, but it happens
SPECIALIST_MATCH = 3.0
SPECIALIST_OTHER = 0.2


def route(
    rng: np.random.Generator,
    directory: Directory,
    *,
    borough: np.ndarray,
    male: np.ndarray,
    nrpf: np.ndarray,
    ages: np.ndarray,
    wants: np.ndarray,
    abuse_mask: np.ndarray,
    needs_mask: np.ndarray,
    primary_need: np.ndarray,
    sealed: np.ndarray,
) -> np.ndarray:
    """The index of the service each referral is routed to."""
    n = len(borough)
    communities = list([c.value for c in Community])
    serves = np.array([[c in directory.communities[s] for c in communities] for s in range(len(directory))])
    wants_index = np.array([communities.index(w) if w else NA for w in wants.tolist()])
    out = np.empty(n, dtype=np.int64)
    for start in range(0, n, CHUNK):
        rows = slice(start, min(start + CHUNK, n))
        weights = _weights(directory, serves, borough[rows], male[rows], nrpf[rows], ages[rows], wants_index[rows])
        weights *= _specialism_factor(directory, abuse_mask[rows])
        out[rows] = _choose(rng, directory, weights, needs_mask[rows], primary_need[rows])
    out[sealed] = directory.ias
    return out


def _weights(
    directory: Directory,
    serves: np.ndarray,
    borough: np.ndarray,
    male: np.ndarray,
    nrpf: np.ndarray,
    ages: np.ndarray,
    wants_index: np.ndarray,
) -> np.ndarray:
    covers = directory.covers[:, np.where(borough == NA, 0, borough)].T
    covers = covers | directory.all_london[None, :] | (borough == NA)[:, None]
    age = np.where(ages == NA, 30, ages)[:, None]
    eligible = covers & (age >= directory.min_age) & (age <= directory.max_age)
    eligible &= ~male[:, None] | directory.accepts_men
    eligible &= ~nrpf[:, None] | directory.accepts_nrpf
    eligible[:, directory.ias] = False
    asked = serves[:, np.where(wants_index == NA, 0, wants_index)].T & (wants_index != NA)[:, None]
    by_and_for = np.where(asked, BY_AND_FOR_MATCH, BY_AND_FOR_OTHER)
    factor = np.where(directory.by_and_for, by_and_for, 1.0)
    # A service's places are spread over the population it covers: a pan-London service is thin in each borough.
    return eligible * (directory.places / directory.reach) * factor


def _specialism_factor(directory: Directory, abuse_mask: np.ndarray) -> np.ndarray:
    specialist = directory.specialism_mask != 0
    match = (abuse_mask[:, None] & directory.specialism_mask) != 0
    return np.where(specialist, np.where(match, SPECIALIST_MATCH, SPECIALIST_OTHER), 1.0)


def _choose(
    rng: np.random.Generator, directory: Directory, weights: np.ndarray, needs: np.ndarray, primary: np.ndarray
) -> np.ndarray:
    """Prefer her first need; then any type she needs; then anything that takes her; then the pan-London service."""
    of_type = directory.type_index[None, :]
    stages = (
        weights * (of_type == primary[:, None]),
        weights * (((needs[:, None] >> of_type) & 1) == 1),
        weights,
    )
    chosen = np.full(len(weights), directory.fallback)
    pending = np.ones(len(weights), dtype=bool)
    u = rng.random(len(weights))
    for stage in stages:
        totals = stage.sum(axis=1)
        take = pending & (totals > 0)
        cumulative = np.cumsum(stage[take], axis=1)
        chosen[take] = (cumulative > (u[take] * totals[take])[:, None]).argmax(axis=1)
        pending &= ~take
    return chosen
