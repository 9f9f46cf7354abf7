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
import statistics
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
    p90_by_month: np.ndarray | None = None  # runs x months: the p90 wait of each month's arrivals, when asked


FLUID_FROM = 100  # women starting in a day above which their spells' ends are spread by expectation, not drawn


def duration_shares(durations_days: np.ndarray) -> np.ndarray:
    """The share of support spells lasting 1, 2, ... days (at least one: a spell ends on a later day)."""
    days = np.maximum(np.rint(np.asarray(durations_days, float)), 1).astype(int)
    return np.bincount(days) / len(days)


def daily_queue(
    rng: np.random.Generator,
    arrivals: np.ndarray,
    shares: np.ndarray,
    servers: int,
    *,
    waiting: int = 0,
    released: np.ndarray | None = None,
) -> np.ndarray:
    """Women starting support each day (runs x days), first come first served, from women arriving each day.

    Each day the servers freed that day take the longest-waiting women; the spells they start end on later days in
    the proportions `shares` gives (a multinomial draw per run), freeing their servers then. Counts, not women, so
    the cost is days x runs whatever the demand. The day starts from today when asked: `waiting` women already
    waiting (ahead of every arrival), and `released` (runs x days, from `in_support_releases`) the servers today's
    open cases free each day, which are busy until then (more open cases than servers leave none free)."""
    runs, days = arrivals.shape
    lengths = np.flatnonzero(shares)  # the spell lengths that occur: 99 quantiles give at most 99, not a year's days
    chances = shares[lengths] / shares[lengths].sum()
    keep, other = alias_table(chances)
    rows = np.arange(runs)
    # Days along the first axis: each day's row of runs is contiguous, and the loop touches one row at a time.
    coming = np.ascontiguousarray(arrivals.T)
    freed = np.zeros((days + len(shares), runs))
    free = np.full(runs, float(servers))
    if released is not None:
        width = min(released.shape[1], freed.shape[0])
        freed[:width] += released[:, :width].T
        free -= released.sum(axis=1)  # busy now: each open case holds a server until its spell ends
    queue = np.full(runs, waiting, np.int64)
    starts = np.zeros((days, runs), arrivals.dtype)
    last = int(np.flatnonzero(arrivals.any(axis=0))[-1]) if arrivals.any() else -1
    for day in range(days):
        if day > last and not queue.any():
            break  # everyone has started: the rest is support, not waiting
        free += freed[day]
        queue += coming[day]
        started = np.minimum(queue, np.floor(np.maximum(free, 0) + 1e-9).astype(np.int64))
        if not started.any():
            continue
        starts[day] = started
        queue -= started
        free -= started
        # Few starts: which day each woman's spell ends is drawn, one draw per woman (cheaper than a multinomial
        # over every spell length per run, when a day starts a few women in each future); many: the law of large
        # numbers makes the draw its expectation within a fraction of a percent, and drawing would cost most of it.
        few = started <= FLUID_FROM
        if few.any():
            who = np.repeat(rows[few], started[few])
            slot = rng.integers(0, len(lengths), len(who))
            pick = np.where(rng.random(len(who)) < keep[slot], slot, other[slot])
            ends = np.bincount(pick * runs + who, minlength=len(lengths) * runs)  # (length, run) counts
            freed[day + lengths] += ends.reshape(len(lengths), runs)
        if not few.all():
            freed[np.ix_(day + lengths, ~few)] += np.outer(chances, started[~few])
    return np.ascontiguousarray(starts.T)


def alias_table(chances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias table for drawing from `chances` in constant time a draw (a slot, uniformly, kept with its
    probability, else its alias): the daily queue draws a spell end for every woman starting, hundreds of millions
    at a national volume, where a search of the cumulative chances cost most of the run."""
    size = len(chances)
    scaled = np.asarray(chances, float) * size
    keep, other = np.ones(size), np.arange(size)
    small = [i for i in range(size) if scaled[i] < 1]
    large = [i for i in range(size) if scaled[i] >= 1]
    while small and large:
        low, high = small.pop(), large.pop()
        keep[low], other[low] = scaled[low], high
        scaled[high] -= 1 - scaled[low]
        (small if scaled[high] < 1 else large).append(high)
    return keep, other  # what is left over is kept with certainty (rounding aside, its chance is 1)


def in_support_releases(
    rng: np.random.Generator, in_support: np.ndarray, shares: np.ndarray, runs: int, width: int
) -> np.ndarray:
    """Servers today's open cases free on each coming day (runs x `width`): drawn per run, or spread by expectation
    where more than `FLUID_FROM` cases share a length of support so far (as `daily_queue` spreads many starts).

    `in_support[e]` cases have been in support `e` whole days. Each one's spell ends after the closed cases'
    distribution conditional on lasting longer than `e` (a spell of `d` days with `d > e` ends `d - e` days from
    now): a case in its third month is not as likely to end tomorrow as one that opened yesterday. A case already
    longer than every closed spell has no such spells to go by, and takes the unconditional distribution (it is
    ending, but how soon the closed cases cannot say)."""
    lengths = np.flatnonzero(shares)
    chances = shares[lengths] / shares[lengths].sum()
    cumulative = np.cumsum(chances)
    out = np.zeros((runs, width))

    def add(days: np.ndarray, weights: np.ndarray, run: np.ndarray | None = None) -> None:
        # A spell ending past the horizon is counted on its last day, so the busy total stays the open cases' count
        # and none frees a server early.
        days = np.minimum(days, width - 1)
        if run is None:  # the same expected ends in every run
            out[:] += np.bincount(days, weights, minlength=width)[None, :]
        else:
            out[:] += np.bincount(run * width + days, weights, minlength=runs * width).reshape(runs, width)

    elapsed = np.flatnonzero(in_support)
    count = in_support[elapsed]
    gone = np.searchsorted(lengths, elapsed, side="right")  # spell lengths no longer possible (<= days so far)
    before = np.where(gone > 0, cumulative[np.maximum(gone - 1, 0)], 0.0)
    outlived = gone >= len(lengths)  # longer than every closed spell: the unconditional distribution
    # Many cases at one length of support: their ends are spread by expectation (as `daily_queue`'s many starts).
    for e, n, g, out_of in zip(elapsed, count, gone, outlived, strict=True):
        if n > FLUID_FROM:
            ahead, weights = (lengths, chances) if out_of else (lengths[g:] - e, chances[g:] / chances[g:].sum())
            add(ahead, n * weights)
    # Few: one draw per case per run by the inverse of the distribution conditional on lasting past its days so far.
    few = count <= FLUID_FROM
    if few.any():
        mine = np.repeat(np.arange(len(elapsed))[few], count[few])  # a case's index into `elapsed`
        floor = np.where(outlived, 0.0, before)[mine]
        target = floor + rng.random((runs, len(mine))) * (1 - floor)
        pick = np.minimum(np.searchsorted(cumulative, target, side="right"), len(lengths) - 1)
        ahead = lengths[pick] - np.where(outlived[mine], 0, elapsed[mine])
        run = np.repeat(np.arange(runs), len(mine))
        add(np.maximum(ahead, 1).ravel(), np.ones(ahead.size), run)
    return out


def wait_quantile(
    arrivals: np.ndarray,
    starts: np.ndarray,
    share: float,
    most: int,
    *,
    ahead: int = 0,
    within: tuple[int, int] | None = None,
) -> np.ndarray:
    """Per run, the least whole number of days within which `share` of the arrivals started (FIFO), from the two
    daily counts: a woman is the k-th to arrive, so she starts on the first day by which k have started.

    `ahead` women were waiting before the first day (their starts come first, and are not counted), and `within`
    (first day, day after the last) limits the women counted to those arriving then: a month's wait."""
    span = within if within is not None else (0, arrivals.shape[1])
    return wait_quantiles(arrivals, starts, share, most, ahead=ahead, spans=[span])[:, 0]


def wait_quantiles(
    arrivals: np.ndarray, starts: np.ndarray, share: float, most: int, *, ahead: int, spans: list[tuple[int, int]]
) -> np.ndarray:
    """`wait_quantile` for each span of arrival days (runs x spans), the running counts summed once: each span's
    bisection reads only its own days, so twelve months cost about what the year does."""
    arrived = np.cumsum(arrivals, axis=1)
    before = arrived - arrivals  # arrivals before each day
    started = np.maximum(np.cumsum(starts, axis=1) - ahead, 0)
    rows = np.arange(arrivals.shape[0])[:, None]
    last = arrivals.shape[1] - 1
    out = np.empty((arrivals.shape[0], len(spans)))
    for i, (first, end) in enumerate(spans):
        days = np.arange(first, end)
        counted, earlier = arrivals[:, first:end], before[:, first:end]
        total = counted.sum(axis=1)

        def enough(wait: np.ndarray, days=days, counted=counted, earlier=earlier, total=total) -> np.ndarray:
            by = started[rows, np.minimum(days[None, :] + wait[:, None], last)]  # started within `wait` days
            return np.minimum(counted, np.maximum(by - earlier, 0)).sum(axis=1) >= share * total

        low, high = np.full(len(total), -1), np.full(len(total), most)  # not enough at low, enough at high (or capped)
        while np.any(high - low > 1):  # bisection: the share started within w days only grows with w
            middle = (low + high) // 2
            ok = enough(middle)
            high, low = np.where(ok, middle, high), np.where(ok, low, middle)
        out[:, i] = high
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
    waiting_now: int = 0,
    in_support: np.ndarray | None = None,
    released: np.ndarray | None = None,
    by_month: bool = False,
    horizon: int | None = None,
) -> Projection:
    """The year's p90 wait in each of `runs` futures with `fte` caseworkers, and how often it meets the target.

    Each future's demand is drawn from the forecast (log-normal around `monthly_demand`, `log_sd` wide); the
    simulation runs on past the year until its arrivals have started (up to another year), so a long queue at the
    year's end counts its waits. `shares` are `duration_shares(durations_days)` when the caller has them already
    (a search simulates the same durations again and again: at ten million referrals they are ten million days).
    `month_days`, the lengths of the year's months (their sum is the year), place the month ends at which the
    waiting list is counted; without them the year is twelve equal months.

    The year starts from today when told it: `waiting_now` women waiting for a caseworker (ahead of every new
    arrival), and `in_support` open cases by whole days in support so far, each holding a caseworker slot until its
    spell ends (`in_support_releases`; `released` is its draw when the caller has it: a search reuses it, as it is
    the same whatever the FTE). Without them the year starts empty, which understates the early months' waits
    whenever there is a queue today. `by_month` adds each month's arrivals' p90 wait (runs x months).

    `horizon` (days simulated, two years unless told) may be cut to the year plus the target: whether a future's
    p90 wait meets the target is then still exact (it asks only who started within the target of arriving), its
    p90 beyond the target is not (a search asks only the former, and runs its answer again in full)."""
    if month_days is not None:
        days = sum(month_days)
    rng = np.random.default_rng(seed)
    rate = monthly_demand * 12 / 365 * np.exp(rng.normal(0, log_sd, runs) - log_sd**2 / 2)
    arrivals = np.zeros((runs, horizon or 2 * days), np.int64)
    arrivals[:, :days] = rng.poisson(rate[:, None], (runs, days))
    servers = max(1, round(fte * caseload))
    shares = duration_shares(durations_days) if shares is None else shares
    if released is None and in_support is not None and np.any(in_support):
        released = start_releases(seed, in_support, shares, runs, 2 * days)
    starts = daily_queue(rng, arrivals, shares, servers, waiting=waiting_now, released=released)
    ends = month_ends(month_days, days)
    spans = [(0, days)]  # the year's arrivals (none come after it), then each month's when asked
    if by_month:
        spans += list(zip(np.concatenate([[0], ends[:-1] + 1]).tolist(), (ends + 1).tolist(), strict=True))
    found = wait_quantiles(arrivals, starts, 0.9, days, ahead=waiting_now, spans=spans)
    p90, monthly = found[:, 0], (found[:, 1:] if by_month else None)
    waiting = waiting_at(arrivals, starts, ends) + waiting_now
    return Projection(servers, fte, p90, float(np.mean(p90 <= target_days)), waiting, monthly)


def start_releases(seed: int, in_support: np.ndarray, shares: np.ndarray, runs: int, width: int) -> np.ndarray:
    """`in_support_releases` on a stream of its own (the seed's second): the futures' demand and the day-by-day
    draws are the same with or without a start, and the start's draw the same at every FTE a search tries."""
    return in_support_releases(np.random.default_rng([seed, 1]), in_support, shares, runs, width)


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
    the target with `probability`, on the same seeded futures at every FTE tried (common random numbers: the
    answer is monotone and repeatable, and each FTE is simulated once).

    The search starts from a guess, the FTE the forecast's `probability` quantile of demand keeps busy, and
    brackets the answer from there by doubling steps of 1% of it (down while the guess meets the target, never
    below the FTE mean demand keeps busy, with which the queue grows without end; up while it does not), then
    narrows the bracket by interpolation: three to five simulations where stepping up from the mean by half posts
    took six to nine. Today's open cases (`in_support`) are drawn once for the whole search."""
    busy = kwargs["monthly_demand"] * 12 / 365 * float(np.mean(kwargs["durations_days"])) / kwargs["caseload"]
    step = max(step, round(busy / 1000 / step) * step)  # to the nearest 0.1% of a national workforce, not half a post
    max_fte = max_fte if max_fte is not None else max(500.0, 10 * busy)
    floor = max(0.0, math.floor(busy / step) * step - step)  # fails: taken so, not simulated
    shares = duration_shares(kwargs["durations_days"])
    released = None
    days = sum(kwargs["month_days"]) if kwargs.get("month_days") else kwargs.get("days", 365)
    if kwargs.get("in_support") is not None and np.any(kwargs["in_support"]):
        released = start_releases(
            kwargs.get("seed", 15), kwargs["in_support"], shares, kwargs.get("runs", 200), 2 * days
        )
    horizon = days + math.ceil(kwargs["target_days"]) + 1  # enough to say whether the target is met (`project`)
    simulate = functools.cache(
        lambda fte: project(fte=fte, shares=shares, released=released, horizon=horizon, **kwargs)
    )

    def chance(fte: float) -> float:
        return 0.0 if fte <= floor else simulate(fte).probability_under_target

    def meets(fte: float) -> bool:
        return chance(fte) >= probability

    quantile = statistics.NormalDist().inv_cdf(probability) * kwargs["log_sd"]
    guess = max(floor + step, round(busy * math.exp(quantile) / step) * step)
    first = max(step, round(guess / 100 / step) * step)  # the guess is within a few percent: bracket in 1% steps
    if meets(guess):
        low, high, grow = floor, guess, first
        while high - grow > floor:
            if not meets(high - grow):
                low = high - grow
                break
            high, grow = high - grow, grow * 2
    else:
        low, grow = guess, first
        high = low + grow
        while not meets(high):
            low, grow = high, grow * 2
            high = low + grow
            if high > max_fte:
                raise ValueError("no FTE up to the limit meets the target")
    # Then narrowed by interpolating the chance of meeting the target between the bracket's ends (it rises with
    # FTE, nearly in a line over a few percent), bisecting instead when one end has moved twice running.
    moved = ""
    while high - low > step:
        if moved in ("ll", "hh"):
            middle = (low + high) / 2
        else:
            below, above = chance(low), chance(high)
            share = (probability - below) / (above - below) if above > below else 0.5
            middle = low + min(max(share, 0.0), 1.0) * (high - low)
        middle = min(max(round(middle / step) * step, low + step), high - step)
        if meets(middle):
            high, moved = middle, (moved + "h")[-2:]
        else:
            low, moved = middle, (moved + "l")[-2:]
    return project(fte=high, shares=shares, released=released, **kwargs)  # in full: its p90 spread is published


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
    waiting_now: int | None = None,
    open_now: int | None = None,
    open_days_tenths: tuple[int, ...] = (),
) -> tuple[float, float]:
    """(median over futures of the year's p90 wait, probability it meets the target) for one service type: the
    scenario page's answer, cached by its inputs (same inputs, same seeded futures, same answer) so a page that
    asks again costs nothing.

    It starts from today as the commissioner page's year under today's FTE does, from the results' published form
    of today's queue (`capacity.published_start`): `waiting_now` women waiting, and `open_now` open cases spread
    evenly over the ten days in support `open_days_tenths` gives (the middle of each tenth of them). A hidden count
    (None) is read as none, as are results written before they held the queue: those start empty, as before."""
    in_support = None
    if open_now and open_days_tenths:
        tenths = np.asarray(open_days_tenths, np.int64)
        each = np.diff(np.round(np.linspace(0, open_now, len(tenths) + 1))).astype(np.int64)
        in_support = np.zeros(int(tenths.max()) + 1, np.int64)
        np.add.at(in_support, np.maximum(tenths, 0), each)
    result = project(
        monthly_demand=monthly_demand,
        log_sd=log_sd,
        durations_days=np.asarray(durations_days),
        fte=fte,
        caseload=caseload,
        target_days=target_days,
        runs=runs,
        seed=seed,
        waiting_now=waiting_now or 0,
        in_support=in_support,
    )
    return float(np.median(result.p90_wait)), result.probability_under_target
