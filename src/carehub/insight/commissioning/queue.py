"""Capacity: a vectorised multi-server queue simulation, its check against Erlang C, and the FTE a target needs.

Each caseworker slot is a server (FTE x caseload); women arrive as a Poisson process whose monthly rate is drawn,
once per simulated year, from the demand forecast's distribution, so the forecast's uncertainty is carried into
the waits; support durations are drawn from closed cases' durations (or exponential for the Erlang C check). The
simulation is first come, first served, and runs all replications at once.

Two simulators: `simulate_waits` steps woman by woman (exact in continuous time; checked against Erlang C), and
`daily_queue` steps day by day, counting women rather than following each one, so its cost does not grow with
demand: a hub of ten million referrals costs what a borough does. Projections use the daily one (waits in whole
days, as the extract keeps them); a test holds it to the woman-by-woman simulator.
"""

from __future__ import annotations

import functools
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
    # Padding goes in before sorting: padding the sorted draws would keep each short run's earliest times, crowding
    # its arrivals into the start of the year.
    times = rng.random((len(counts), width)) * days
    times[np.arange(width)[None, :] >= counts[:, None]] = np.inf
    return np.sort(times, axis=1)


@dataclass(frozen=True)
class Projection:
    servers: int
    fte: float
    p90_wait: np.ndarray  # per run: the 90th percentile wait of women arriving in the year
    probability_under_target: float
    waiting: np.ndarray | None = None  # runs x months: women waiting for a caseworker at each month's end


FLUID_FROM = 100  # women starting in a day above which their spells' ends are spread by expectation, not drawn


def duration_shares(durations_days: np.ndarray) -> np.ndarray:
    """The share of support spells lasting 1, 2, ... days (at least one: a spell ends on a later day)."""
    days = np.maximum(np.rint(np.asarray(durations_days, float)), 1).astype(int)
    return np.bincount(days) / len(days)


def daily_queue(rng: np.random.Generator, arrivals: np.ndarray, shares: np.ndarray, servers: int) -> np.ndarray:
    """Women starting support each day (runs x days), first come first served, from women arriving each day.

    Each day the servers freed that day take the longest-waiting women; the spells they start end on later days in
    the proportions `shares` gives (a multinomial draw per run), freeing their servers then. Counts, not women, so
    the cost is days x runs whatever the demand."""
    runs, days = arrivals.shape
    released = np.zeros((runs, days + len(shares)))
    free = np.full(runs, float(servers))
    waiting = np.zeros(runs, np.int64)
    starts = np.zeros_like(arrivals)
    last = int(np.flatnonzero(arrivals.any(axis=0))[-1]) if arrivals.any() else -1
    for day in range(days):
        if day > last and not waiting.any():
            break  # everyone has started: the rest is support, not waiting
        free += released[:, day]
        waiting += arrivals[:, day]
        started = np.minimum(waiting, np.floor(free + 1e-9).astype(np.int64))
        starts[:, day] = started
        waiting -= started
        free -= started
        if started.any():
            # Few starts: which days they end is drawn (multinomial); many: the law of large numbers makes the
            # draw its expectation within a fraction of a percent, and drawing would cost most of the run.
            few = started <= FLUID_FROM
            ends = np.outer(started, shares)
            if few.any():
                ends[few] = rng.multinomial(started[few], shares)
            released[:, day : day + len(shares)] += ends
    return starts


def wait_quantile(arrivals: np.ndarray, starts: np.ndarray, share: float, most: int) -> np.ndarray:
    """Per run, the least whole number of days within which `share` of the arrivals started (FIFO), from the two
    daily counts: a woman is the k-th to arrive, so she starts on the first day by which k have started."""
    arrived = np.cumsum(arrivals, axis=1)
    before = arrived - arrivals  # arrivals before each day
    started = np.cumsum(starts, axis=1)
    total = arrived[:, -1]
    days = np.arange(arrivals.shape[1])
    rows = np.arange(arrivals.shape[0])[:, None]

    def enough(wait: np.ndarray) -> np.ndarray:  # per run: have `share` started within `wait` days?
        by = started[rows, np.minimum(days[None, :] + wait[:, None], len(days) - 1)]
        return np.minimum(arrivals, np.maximum(by - before, 0)).sum(axis=1) >= share * total

    low, high = np.full(len(total), -1), np.full(len(total), most)  # not enough at low, enough at high (or capped)
    while np.any(high - low > 1):  # bisection: the share started within w days only grows with w
        middle = (low + high) // 2
        ok = enough(middle)
        high, low = np.where(ok, middle, high), np.where(ok, low, middle)
    out = high.astype(float)
    return out


def project(
    *,
    monthly_demand: float,
    log_sd: float,
    durations_days: np.ndarray,
    fte: float,
    caseload: float,
    target_days: float,
    runs: int = 200,
    days: int = 365,
    seed: int = 15,
    shares: np.ndarray | None = None,
    month_days: tuple[int, ...] | None = None,
) -> Projection:
    """The year's p90 wait in each of `runs` futures with `fte` caseworkers, and how often it meets the target.

    Each future's demand is drawn from the forecast (log-normal around `monthly_demand`, `log_sd` wide); the
    simulation runs on past the year until its arrivals have started (up to another year), so a long queue at the
    year's end counts its waits. `shares` are `duration_shares(durations_days)` when the caller has them already
    (a search simulates the same durations again and again: at ten million referrals they are ten million days).
    `month_days`, the lengths of the year's months (their sum is the year), place the month ends at which the
    waiting list is counted; without them the year is twelve equal months."""
    if month_days is not None:
        days = sum(month_days)
    rng = np.random.default_rng(seed)
    rate = monthly_demand * 12 / 365 * np.exp(rng.normal(0, log_sd, runs) - log_sd**2 / 2)
    arrivals = np.zeros((runs, 2 * days), np.int64)
    arrivals[:, :days] = rng.poisson(rate[:, None], (runs, days))
    servers = max(1, round(fte * caseload))
    shares = duration_shares(durations_days) if shares is None else shares
    starts = daily_queue(rng, arrivals, shares, servers)
    p90 = wait_quantile(arrivals, starts, 0.9, days)
    waiting = waiting_at(arrivals, starts, month_ends(month_days, days))
    return Projection(servers, fte, p90, float(np.mean(p90 <= target_days)), waiting)


def month_ends(month_days: tuple[int, ...] | None, days: int) -> np.ndarray:
    """The index of each month's last day: from the months' lengths, or twelve equal months of the year."""
    if month_days is None:
        return np.round(np.arange(1, 13) * days / 12).astype(int) - 1
    return np.cumsum(month_days) - 1


def waiting_at(arrivals: np.ndarray, starts: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Women waiting (arrived, not yet started) at the end of each of `days`, per run: counts, as the simulation
    keeps them."""
    return (np.cumsum(arrivals, axis=1) - np.cumsum(starts, axis=1))[:, days]


def fte_needed(*, probability: float = 0.9, step: float = 0.5, max_fte: float | None = None, **kwargs) -> Projection:
    """The least FTE (in steps of `step`, or of 0.1% of the FTE demand keeps busy if larger) whose p90 wait meets
    the target with `probability`: a search upwards from the FTE demand alone keeps busy (fewer, and the queue grows
    without end) by doubling increments, then bisection; each step the same seeded futures, so the answer is
    monotone and repeatable."""
    busy = kwargs["monthly_demand"] * 12 / 365 * float(np.mean(kwargs["durations_days"])) / kwargs["caseload"]
    step = max(step, round(busy / 1000 / step) * step)  # to the nearest 0.1% of a national workforce, not half a post
    max_fte = max_fte if max_fte is not None else max(500.0, 10 * busy)
    low = max(0.0, math.floor(busy / step) * step - step)
    high, grow = low + step, step
    shares = duration_shares(kwargs["durations_days"])
    simulate = functools.cache(lambda fte: project(fte=fte, shares=shares, **kwargs))  # each FTE tried is run once
    while simulate(high).probability_under_target < probability:
        low, grow = high, grow * 2
        high = low + grow
        if high > max_fte:
            raise ValueError("no FTE up to the limit meets the target")
    while high - low > step:
        middle = round((low + high) / 2 / step) * step
        if middle in (low, high):
            break
        if simulate(middle).probability_under_target >= probability:
            high = middle
        else:
            low = middle
    return simulate(high)


@functools.lru_cache(maxsize=512)
def projected_wait(
    monthly_demand: float,
    log_sd: float,
    durations_days: tuple[float, ...],
    fte: float,
    caseload: float,
    target_days: float,
    runs: int = 100,
    seed: int = 15,
) -> tuple[float, float]:
    """(median over futures of the year's p90 wait, probability it meets the target) for one service type: the
    scenario page's answer, cached by its inputs (same inputs, same seeded futures, same answer) so a page that
    asks again costs nothing."""
    result = project(
        monthly_demand=monthly_demand,
        log_sd=log_sd,
        durations_days=np.asarray(durations_days),
        fte=fte,
        caseload=caseload,
        target_days=target_days,
        runs=runs,
        seed=seed,
    )
    return float(np.median(result.p90_wait)), result.probability_under_target
