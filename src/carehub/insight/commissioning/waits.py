"""Waits with censoring: Kaplan-Meier from counts of (day, finished or still waiting), so a backend aggregates.

A woman still waiting at the end of the data is a censored observation, not a dropped one: dropping her makes the
median wait look shorter exactly when waits are growing. The estimator takes per-day counts (a GROUP BY the backend
does over millions of rows) rather than rows, and gives the same curve as lifelines' KaplanMeierFitter on the rows;
confidence intervals are the exponential Greenwood ones lifelines uses by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm


@dataclass(frozen=True)
class Curve:
    times: np.ndarray  # distinct event times, ascending
    survival: np.ndarray  # share still waiting just after each time
    lower: np.ndarray
    upper: np.ndarray


def kaplan_meier(times: np.ndarray, events: np.ndarray, weights: np.ndarray | None = None, *, alpha=0.05) -> Curve:
    """Kaplan-Meier curve from times, event flags (1 finished, 0 still waiting) and counts of each."""
    times, events = np.asarray(times, float), np.asarray(events, bool)
    weights = np.ones_like(times) if weights is None else np.asarray(weights, float)
    order = np.unique(times)
    at = np.searchsorted(order, times)
    died = np.bincount(at, weights * events, len(order))
    left = np.bincount(at, weights, len(order))
    at_risk = left[::-1].cumsum()[::-1]
    keep = died > 0
    d, n = died[keep], at_risk[keep]
    survival = np.cumprod(1 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(d / (n * (n - d)))
        z = norm.ppf(1 - alpha / 2)
        log_log = np.log(-np.log(survival))
        spread = z * np.sqrt(greenwood) / np.log(survival)
        lower = np.exp(-np.exp(log_log - spread))
        upper = np.exp(-np.exp(log_log + spread))
    lower = np.where(survival > 0, np.nan_to_num(lower, nan=0.0), 0.0)
    upper = np.where(survival > 0, np.nan_to_num(upper, nan=1.0), 0.0)
    return Curve(order[keep], survival, lower, upper)


def quantile_time(times: np.ndarray, survival: np.ndarray, share_done: float) -> float:
    """The first time by which `share_done` have finished waiting (the survival curve at or below 1 - share),
    as lifelines' qth_survival_time; infinity when the curve never gets there (too many still waiting)."""
    below = np.flatnonzero(survival <= 1 - share_done)
    return float(times[below[0]]) if len(below) else float("inf")


@dataclass(frozen=True)
class WaitSummary:
    stage: str
    people: int
    still_waiting: int
    median: float
    median_ci: tuple[float, float]
    p90: float
    p90_ci: tuple[float, float]
    naive_median: float  # median of completed waits only: shown to say why it misleads


def summarise(stage: str, times, events, weights=None) -> WaitSummary:
    curve = kaplan_meier(times, events, weights)
    weights = np.ones(len(times)) if weights is None else np.asarray(weights, float)
    events = np.asarray(events, bool)
    done = np.repeat(np.asarray(times, float)[events], weights[events].astype(int))

    def at(share: float) -> tuple[float, tuple[float, float]]:
        # The interval for a quantile is where the interval curves cross its level (Brookmeyer-Crowley style, as
        # lifelines' median_survival_times on confidence_interval_).
        return quantile_time(curve.times, curve.survival, share), (
            quantile_time(curve.times, curve.lower, share),
            quantile_time(curve.times, curve.upper, share),
        )

    median, median_ci = at(0.5)
    p90, p90_ci = at(0.9)
    return WaitSummary(
        stage,
        int(weights.sum()),
        int(weights[~events].sum()),
        median,
        median_ci,
        p90,
        p90_ci,
        float(np.median(done)) if len(done) else float("nan"),
    )
