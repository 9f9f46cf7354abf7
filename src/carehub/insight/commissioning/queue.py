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
    cumulative = np.cumsum(chances)
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
            pick = np.minimum(np.searchsorted(cumulative, rng.random(len(who)), side="right"), len(lengths) - 1)
            ends = np.bincount(pick * runs + who, minlength=len(lengths) * runs)  # (length, run) counts
            freed[day + lengths] += ends.reshape(len(lengths), runs)
        if not few.all():
            freed[np.ix_(day + lengths, ~few)] += np.outer(chances, started[~few])
    return np.ascontiguousarray(starts.T)


def in_support_releases(
    rng: np.random.Generator, in_support: np.ndarray, shares: np.ndarray, runs: int, width: int
) -> np.ndarray:
    """Servers today's open cases free on each coming day (runs x `width`), drawn per run.

    `in_support[e]` cases have been in support `e` whole days. Each one's spell ends after the closed cases'
    distribution conditional on lasting longer than `e` (a spell of `d` days with `d > e` ends `d - e` days from
    now): a case in its third month is not as likely to end tomorrow as one that opened yesterday. A case already
    longer than every closed spell has no such spells to go by, and takes the unconditional distribution (it is
    ending, but how soon the closed cases cannot say)."""
    out = np.zeros((runs, width))
    lengths = np.flatnonzero(shares)
    for elapsed in np.flatnonzero(in_support):
        longer = lengths > elapsed
        ahead = lengths[longer] - elapsed if longer.any() else lengths
        chances = shares[lengths[longer]] if longer.any() else shares[lengths]
        draws = rng.multinomial(int(in_support[elapsed]), chances / chances.sum(), size=runs)
        # A spell ending past the horizon is counted on its last day, so the busy total stays the open cases' count
        # and none frees a server early (several may land there: summed first, as a fancy add would keep one).
        past = ahead >= width - 1
        out[:, ahead[~past]] += draws[:, ~past]
        out[:, -1] += draws[:, past].sum(axis=1)
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
    whenever there is a queue today. `by_month` adds each month's arrivals' p90 wait (runs x months)."""
    if month_days is not None:
        days = sum(month_days)
    rng = np.random.default_rng(seed)
    rate = monthly_demand * 12 / 365 * np.exp(rng.normal(0, log_sd, runs) - log_sd**2 / 2)
    arrivals = np.zeros((runs, 2 * days), np.int64)
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
    brackets the answer from there by doubling steps (down while the guess meets the target, never below the FTE
    mean demand keeps busy, with which the queue grows without end; up while it does not), then bisects: about
    four simulations where stepping up from the mean took six to eight. Today's open cases (`in_support`) are
    drawn once for the whole search."""
    busy = kwargs["monthly_demand"] * 12 / 365 * float(np.mean(kwargs["durations_days"])) / kwargs["caseload"]
    step = max(step, round(busy / 1000 / step) * step)  # to the nearest 0.1% of a national workforce, not half a post
    max_fte = max_fte if max_fte is not None else max(500.0, 10 * busy)
    floor = max(0.0, math.floor(busy / step) * step - step)  # fails: taken so, not simulated
    shares = duration_shares(kwargs["durations_days"])
    released = None
    if kwargs.get("in_support") is not None and np.any(kwargs["in_support"]):
        days = sum(kwargs["month_days"]) if kwargs.get("month_days") else kwargs.get("days", 365)
        released = start_releases(
            kwargs.get("seed", 15), kwargs["in_support"], shares, kwargs.get("runs", 200), 2 * days
        )
    simulate = functools.cache(lambda fte: project(fte=fte, shares=shares, released=released, **kwargs))

    def meets(fte: float) -> bool:
        return simulate(fte).probability_under_target >= probability

    quantile = statistics.NormalDist().inv_cdf(probability) * kwargs["log_sd"]
    guess = max(floor + step, round(busy * math.exp(quantile) / step) * step)
    if meets(guess):
        low, high, grow = floor, guess, step
        while high - grow > floor:
            if not meets(high - grow):
                low = high - grow
                break
            high, grow = high - grow, grow * 2
    else:
        low, grow = guess, step
        high = low + grow
        while not meets(high):
            low, grow = high, grow * 2
            high = low + grow
            if high > max_fte:
                raise ValueError("no FTE up to the limit meets the target")
    while high - low > step:
        middle = round((low + high) / 2 / step) * step
        if middle in (low, high):
            break
        if meets(middle):
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
