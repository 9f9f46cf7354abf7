"""Cell-key perturbation with a threshold: the one rule every count the commissioning evidence publishes goes through.

Why not suppression alone. The pages let a commissioner choose her own table (borough x service type x period, a
service's own view), so the tables overlap in ways no one can list in advance; suppressing each on its own leaves a
hidden count to be had back by subtraction (London's month minus the other 32 boroughs' same month; a borough's month
minus its service types). Joint suppression over every table a reader could ask for is an optimisation over the
whole cube, far too slow per request and still undone by the next new view. National statistics offices publish
flexible table builders with cell-key perturbation instead (ONS Census 2021 flexible tables; ABS TableBuilder,
after Fraser and Wooton, 2005; Marley and Leaver, 2011), and so does this module:

- every record has a record key, 0..255, uniform and fixed (`record_keys`: a keyed hash of its pseudonymous key, so
  a reader without the key cannot compute it);
- a cell's key is the sum of its records' keys mod 256: additive, so a table that sums cells sums their keys, and
  the same records give the same key, and so the same published number, whichever table or page asks (asking again
  and averaging gains nothing);
- the published count is n + ptable[min(n, N), cell key]: a change of at most `max_change` either way, zero on
  average for every n (each row of the table has mean exactly zero over the 256 keys), never below zero, and a zero
  stays zero; then the threshold rule hides every published value under the threshold.

A total is perturbed on its own key, so it does not equal the sum of the published cells it covers: subtracting the
32 boroughs from London leaves the hidden borough plus the sum of 33 small changes (London's and the 32 boroughs'),
not the count. That is also why there is no secondary suppression any more: secondary suppression exists only so
that totals cannot give a hidden cell back, and a perturbed total cannot; keeping it would hide more than protection
needs (suppression that protects without hiding more than it must). What remains possible is averaging over many
different subtractions that reach the same hidden cell through different other cells: each costs the attacker a
table of independent changes, and the answer is still only an estimate, which is the standard the offices above
accept.

Rates, shares and intervals shown next to a count are computed from the published count, so a page never pairs a
changed count with a rate that gives the exact one back. Statistics that are not counts (the forecast, Kaplan-Meier
waits, the queue model) are computed from the exact data: they are smooth functions of many records, not cells a
reader can subtract, and perturbing their inputs would only make them worse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq

KEYS = 256  # record and cell keys are 0..255
TOTAL = "total"


@lru_cache(maxsize=8)
def ptable(max_change: int = 3, variance: float = 2.0) -> np.ndarray:
    """The perturbation for each count 0..max_change (row `min(n, max_change)`; larger counts use the last row) and
    each cell key 0..255, as integers.

    Row n allows changes from max(-n, -max_change) to +max_change. Its shape is a discretised normal: weights
    exp(-p^2 / 2s^2 + a p), with s set so the full row's variance is `variance`, and a (zero for full rows) set so
    the mean is zero where the lower end is cut by n + p >= 0. The weights become whole numbers of the 256 keys (largest
    remainders), then slots move one step towards zero until the row sums to exactly zero: mean zero over the keys,
    not roughly. Deterministic: no random numbers, the same table on every machine."""
    if max_change < 1:
        raise ValueError("the largest change must be at least 1")
    widest = max_change * (max_change + 1) / 3  # the variance of the uniform on -max_change..max_change
    if not 0 < variance < widest:
        raise ValueError(f"the variance must lie between 0 and {widest:g} for changes of at most {max_change}")
    full = np.arange(-max_change, max_change + 1)

    def moments(values: np.ndarray, spread: float, tilt: float) -> tuple[float, float]:
        weights = np.exp(-(values**2) / (2 * spread**2) + tilt * values)
        weights /= weights.sum()
        mean = float(weights @ values)
        return mean, float(weights @ (values - mean) ** 2)

    spread = brentq(lambda s: moments(full, s, 0.0)[1] - variance, 1e-3, 1e3)
    rows = [np.zeros(KEYS, np.int64)]  # a zero stays zero
    for n in range(1, max_change + 1):
        values = np.arange(-min(n, max_change), max_change + 1)
        tilt = 0.0 if n == max_change else brentq(lambda a, v=values: moments(v, spread, a)[0], -50.0, 50.0)
        weights = np.exp(-(values**2) / (2 * spread**2) + tilt * values)
        share = weights / weights.sum() * KEYS
        slots = np.floor(share).astype(np.int64)
        for i in np.argsort(-(share - slots), kind="stable")[: KEYS - slots.sum()]:
            slots[i] += 1
        total = int(slots @ values)
        while total:  # one key moves one step towards zero until the row's mean is exactly zero
            step = 1 if total > 0 else -1
            i = int(np.flatnonzero((slots > 0) & (values * step > 0))[-1 if step > 0 else 0])
            slots[i] -= 1
            slots[i - step] += 1
            total -= step
        rows.append(np.repeat(values, slots))
    return np.vstack(rows)


def record_keys(keys: Iterable[str], secret: str) -> np.ndarray:
    """Each record's key 0..255: the first byte of blake2b of its pseudonymous key, keyed with `secret`.

    The extract's keys are already keyed pseudonyms; keying again with a secret the run holds means that even a
    reader who somehow had the extract's keys could not work out which change each cell received."""
    key = hashlib.blake2b(secret.encode(), digest_size=32).digest()
    return np.fromiter((hashlib.blake2b(str(k).encode(), key=key, digest_size=1).digest()[0] for k in keys), np.int64)


def cell_key(keys) -> int:
    """The key of a cell made of other cells (or records): the sum of their keys mod 256."""
    return int(np.asarray(keys, np.int64).sum() % KEYS)


def perturb(counts, ckeys, *, max_change: int = 3, variance: float = 2.0) -> np.ndarray:
    """The published value of each count before the threshold rule: n + ptable[min(n, N), key]."""
    counts = np.asarray(counts, np.int64)
    table = ptable(max_change, variance)
    return counts + table[np.minimum(counts, max_change), np.asarray(ckeys, np.int64) % KEYS]


def publish(count, ckey, settings) -> int | None:
    """The one rule for a published count: perturbed by its cell key, then hidden (None) under the threshold."""
    if count is None:
        return None
    value = publish_all([int(count)], [int(ckey)], settings)[0]
    return value


def publish_all(counts, ckeys, settings) -> list[int | None]:
    """`publish` over arrays."""
    values = perturb(counts, ckeys, max_change=settings.perturbation_max, variance=settings.perturbation_variance)
    return [int(v) if v >= settings.suppression_threshold else None for v in values]


def table(frame: pd.DataFrame, row: str, column: str, value: str, settings, *, key: str = "ckey") -> pd.DataFrame:
    """A long table of counts (with their cell keys) as published: every cell of the rows x columns grid, the row
    and column totals and the grand total, each perturbed on its own key and hidden under the threshold.

    Missing combinations are zeros (and stay zero, then hidden like any count under the threshold): leaving a cell
    out would say it was empty. Returns columns `row`, `column`, `value` with None where hidden."""
    rows, columns = sorted(frame[row].unique()), sorted(frame[column].unique())
    grid = frame.groupby([row, column])[[value, key]].sum()
    counts = np.zeros((len(rows), len(columns)), np.int64)
    keys = np.zeros_like(counts)
    if len(grid):
        r = pd.Index(rows).get_indexer(grid.index.get_level_values(0))
        c = pd.Index(columns).get_indexer(grid.index.get_level_values(1))
        counts[r, c] = grid[value].to_numpy()
        keys[r, c] = grid[key].to_numpy()
    full_counts = np.zeros((len(rows) + 1, len(columns) + 1), np.int64)
    full_keys = np.zeros_like(full_counts)
    full_counts[:-1, :-1], full_keys[:-1, :-1] = counts, keys
    full_counts[-1, :-1], full_keys[-1, :-1] = counts.sum(0), keys.sum(0)
    full_counts[:-1, -1], full_keys[:-1, -1] = counts.sum(1), keys.sum(1)
    full_counts[-1, -1], full_keys[-1, -1] = counts.sum(), keys.sum()
    shown = publish_all(full_counts.ravel(), full_keys.ravel() % KEYS, settings)
    labels = [(r, c) for r in [*rows, TOTAL] for c in [*columns, TOTAL]]
    out = [{row: r, column: c, value: v} for (r, c), v in zip(labels, shown, strict=True)]
    return pd.DataFrame(out, columns=[row, column, value], dtype=object)  # None stays None (hidden), not NaN


def sentence(settings) -> str:
    """What a reader is told beside the figures, in plain words."""
    return (
        f"To stop anyone being picked out by comparing tables, each count is changed by a small random amount (at "
        f"most {settings.perturbation_max}), counts under {settings.suppression_threshold} are hidden, and totals may "
        "not add up exactly."
    )
