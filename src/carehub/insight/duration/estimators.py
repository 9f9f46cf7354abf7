"""Kaplan-Meier and Aalen-Johansen estimators in numpy, with tied times handled exactly and optional weights.

Why our own: lifelines' `AalenJohansenFitter` breaks tied times apart with random jitter, so on daily or weekly data
(nearly every time is tied) its answer depends on a seed. Here all events at one time are taken together, which is
the estimator's definition: at each distinct time t with n(t) (weighted) at risk and d_k(t) events of cause k,

    S(t) = S(t-) * (1 - d(t) / n(t)),       CIF_k(t) = CIF_k(t-) + S(t-) * d_k(t) / n(t).

Someone censored at t is still at risk at t (events come before censoring at the same time), the usual convention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Curve:
    """A step function: `value[i]` holds from `time[i]` until the next time. `at_risk` and `events` per time."""

    time: np.ndarray
    value: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    start: float = 0.0  # the value before the first time: 1 for a survival curve, 0 for a cumulative incidence
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    def at(self, t: float) -> float:
        """The curve's value at time t (right-continuous): 0 for a CIF and 1 for a survival before the first time."""
        index = np.searchsorted(self.time, t, side="right") - 1
        return self.start if index < 0 else float(self.value[index])


def _tables(time: np.ndarray, event: np.ndarray, weights: np.ndarray | None):
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=int)
    weights = np.ones(time.shape) if weights is None else np.asarray(weights, dtype=float)
    if time.shape != event.shape or time.shape != weights.shape:
        raise ValueError("time, event and weights must have the same length")
    if np.any(np.isnan(time)) or np.any(time < 0):
        raise ValueError("times must be non-negative numbers")
    times, index = np.unique(time, return_inverse=True)
    exits = np.bincount(index, weights=weights, minlength=times.size)
    at_risk = np.cumsum(exits[::-1])[::-1]
    return times, index, event, weights, at_risk


def kaplan_meier(time, event, weights=None) -> Curve:
    """Survival from any event (event != 0), with Greenwood 95% limits (log-log) when unweighted."""
    times, index, event, weights, at_risk = _tables(time, event, weights)
    deaths = np.bincount(index, weights=weights * (event != 0), minlength=times.size)
    keep = deaths > 0
    hazard = deaths[keep] / at_risk[keep]
    survival = np.cumprod(1 - hazard)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(deaths[keep] / (at_risk[keep] * (at_risk[keep] - deaths[keep])))
        log_s = np.log(survival)
        spread = 1.959963984540054 * np.sqrt(greenwood) / np.abs(log_s)
        low = np.where(survival > 0, survival ** np.exp(spread), 0.0)
        high = np.where(survival > 0, survival ** np.exp(-spread), 0.0)
    return Curve(
        times[keep], survival, at_risk[keep], deaths[keep], 1.0, np.nan_to_num(low), np.nan_to_num(high, nan=1.0)
    )


def aalen_johansen(time, event, cause: int = 1, weights=None) -> Curve:
    """Cumulative incidence of `cause` with every other non-zero event competing, ties handled exactly.

    `event` is 0 for censored, 1, 2, ... for the cause of the first event. Returned at every time with any event
    (of any cause), so the curve is a step function with exactly the estimator's jumps.
    """
    times, index, event, weights, at_risk = _tables(time, event, weights)
    any_event = np.bincount(index, weights=weights * (event != 0), minlength=times.size)
    of_cause = np.bincount(index, weights=weights * (event == cause), minlength=times.size)
    keep = any_event > 0
    n, d, dk = at_risk[keep], any_event[keep], of_cause[keep]
    survival = np.cumprod(1 - d / n)
    before = np.concatenate([[1.0], survival[:-1]])
    cif = np.cumsum(before * dk / n)
    return Curve(times[keep], cif, n, dk)
