"""Capacity: a vectorised multi-server queue simulation, its check against Erlang C, and the FTE a target needs.

Each caseworker slot is a server (FTE x caseload); women arrive as a Poisson process whose monthly rate is drawn,
once per simulated year, from the demand forecast's distribution, so the forecast's uncertainty is carried into
the waits; support durations are drawn from closed cases' durations (or exponential for the Erlang C check). The
simulation is first come, first served, and runs all replications at once: the loop is over arrivals, each step is a
numpy operation across replications, so hundreds of futures cost about what one does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C): P(wait) / (c mu - lambda)."""
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        return math.inf
    terms = sum(a**k / math.factorial(k) for k in range(servers))
    top = a**servers / math.factorial(servers) / (1 - rho)
    return top / (terms + top) / (servers * service_rate - arrival_rate)


def simulate_waits(arrivals: np.ndarray, services: np.ndarray, servers: int, backlog: int = 0) -> np.ndarray:
    """Waits of each arrival (runs x women) with `servers` servers, first come first served.

    `arrivals` are times (sorted along axis 1, padded with inf where a run has fewer women), `services` durations;
    `backlog` women already waiting at time 0 take the first free servers before anyone new."""
    runs = arrivals.shape[0]
    free = np.zeros((runs, servers))
    rows = np.arange(runs)
    typical = float(np.mean(services))  # the backlog's support lengths are not yet known: each takes the mean
    for _ in range(backlog):
        slot = free.argmin(axis=1)
        free[rows, slot] += typical
    waits = np.empty_like(arrivals)
    for i in range(arrivals.shape[1]):
        slot = free.argmin(axis=1)
        start = np.maximum(free[rows, slot], arrivals[:, i])
        with np.errstate(invalid="ignore"):  # padding (inf - inf) gives nan, dropped by the caller
            waits[:, i] = start - arrivals[:, i]
        free[rows, slot] = np.where(np.isinf(arrivals[:, i]), free[rows, slot], start + services[:, i])
    return waits


def poisson_arrivals(rng: np.random.Generator, rate_per_day: np.ndarray, days: float) -> np.ndarray:
    """Arrival times for each run (rate per run), padded with inf to the longest run."""
    counts = rng.poisson(rate_per_day * days)
    width = int(counts.max())
    times = np.sort(rng.random((len(counts), width)) * days, axis=1)
    times[np.arange(width)[None, :] >= counts[:, None]] = np.inf
    return np.sort(times, axis=1)


@dataclass(frozen=True)
class Projection:
    servers: int
    fte: float
    p90_wait: np.ndarray  # per run: the 90th percentile wait of women arriving in the year
    probability_under_target: float


def project(
    *,
    monthly_demand: float,
    log_sd: float,
    durations_days: np.ndarray,
    fte: float,
    caseload: float,
    target_days: float,
    runs: int = 200,
    days: float = 365.0,
    seed: int = 15,
) -> Projection:
    """The year's p90 wait in each of `runs` futures with `fte` caseworkers, and how often it meets the target."""
    rng = np.random.default_rng(seed)
    rate = monthly_demand * 12 / days * np.exp(rng.normal(0, log_sd, runs) - log_sd**2 / 2)
    arrivals = poisson_arrivals(rng, rate, days)
    services = rng.choice(durations_days, arrivals.shape)
    servers = max(1, round(fte * caseload))
    waits = simulate_waits(arrivals, services, servers)
    waits = np.where(np.isinf(arrivals), np.nan, waits)
    p90 = np.nanpercentile(waits, 90, axis=1)
    return Projection(servers, fte, p90, float(np.mean(p90 <= target_days)))


def fte_needed(*, probability: float = 0.9, step: float = 0.5, max_fte: float = 500.0, **kwargs) -> Projection:
    """The least FTE (in steps of `step`) whose p90 wait meets the target with `probability`: a doubling search
    then bisection, each step the same seeded futures so the answer is monotone and repeatable."""
    low, high = 0.0, step
    while project(fte=high, **kwargs).probability_under_target < probability:
        low, high = high, high * 2
        if high > max_fte:
            raise ValueError("no FTE up to the limit meets the target")
    while high - low > step:
        middle = round((low + high) / 2 / step) * step
        if middle in (low, high):
            break
        if project(fte=middle, **kwargs).probability_under_target >= probability:
            high = middle
        else:
            low = middle
    return project(fte=high, **kwargs)
