"""Vectorised draws shared by the generators: categorical choices, overlays of missing answers, durations.

Every function takes the generator explicitly, so the order of draws (and so the data) depends only on the seed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

DAY = 86_400
HOUR = 3_600
NA = -1  # a missing timestamp or index in the integer arrays


def choose(rng: np.random.Generator, weights: Mapping[str, float], size: int) -> np.ndarray:
    """Draw `size` keys of `weights` in proportion to their weights, as an object array of the keys."""
    keys = np.array([str(k) for k in weights], dtype=object)
    p = np.fromiter(weights.values(), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def choose_index(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Draw indices 0..len(weights)-1 in proportion to weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def choose_by_group(rng: np.random.Generator, groups: np.ndarray, table: list[Mapping[str, float]]) -> np.ndarray:
    """For each row, draw a key from the weights of its group (`table[group]`); groups are visited in order."""
    out = np.empty(len(groups), dtype=object)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        out[rows] = choose(rng, table[g], len(rows))
    return out


def overlay(rng: np.random.Generator, values: np.ndarray, **shares: float) -> np.ndarray:
    """Replace a share of values with other answers, e.g. prefer_not_to_say=0.03 and blank (empty string)=0.05.

    Keyword `blank` stands for the empty string: a question not asked or not answered.
    """
    out = values.copy()
    u = rng.random(len(values))
    edge = 0.0
    for answer, share in shares.items():
        hit = (u >= edge) & (u < edge + share)
        out[hit] = "" if answer == "blank" else answer
        edge += share
    return out


def lognormal(rng: np.random.Generator, median: float, sigma: float, size: int) -> np.ndarray:
    """Lognormal draws by their median: durations and delays are right-skewed, with long tails."""
    return rng.lognormal(np.log(median), sigma, size)


def bernoulli(rng: np.random.Generator, p: float | np.ndarray, size: int) -> np.ndarray:
    return rng.random(size) < p
