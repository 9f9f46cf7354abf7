"""When referrals arrive, and which of them are later referrals of a survivor already known.

Arrivals follow a daily rate: a slow upward trend, seasonality (more in summer and over Christmas and New Year,
fewer in February), a weekday pattern, a lockdown-like surge of +40% for six months, more in the months of a major
football tournament (those `insight.commissioning.settings` names), and one recording break (a new system that
counts fewer referrals from the first of a month): the demand patterns the commissioning evidence must find, planted
where two years of months come before them to judge them by (tests/demo/test_demand_patterns.py). Each survivor's later
referrals are drawn as referrals some months after an earlier one, so the time pattern holds for repeats as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from carehub.synthetic.codes import TOURNAMENT_MONTHS  # the generator's own calendar, not the analysis's
from carehub.synthetic.sampling import DAY, HOUR, NA, bernoulli, lognormal

MONTH_FACTOR = np.array([1.04, 0.9, 0.95, 0.97, 1.0, 1.06, 1.1, 1.08, 0.98, 0.97, 0.95, 1.05])
WEEKDAY_FACTOR = np.array([1.15, 1.08, 1.05, 1.02, 1.0, 0.82, 0.88])  # Monday first
TREND_PER_YEAR = 0.06
SURGE = 0.4
SURGE_START_SHARE = 0.55  # of the way through the window: a long seed (--years 6) has three years to judge it by
SURGE_DAYS = 180
SURGE_RAMP_DAYS = 14
TOURNAMENT = 0.25  # more referrals in a tournament's months (match days: about +26%, Kirby et al. 2014)
RECORDING_BREAK = -0.2  # the new system stops counting a repeat call within the month as a new referral
RECORDING_BREAK_SHARE = 0.2  # of the way through the window, moved on to the first of the next month
LATER_REFERRAL_SHARE = 0.255  # tuned so that about 20% of all referrals are a later one of a known survivor


@dataclass(frozen=True)
class Window:
    """The three years of data: from `start` to `end` inclusive; `now` is the end of the last day (seconds)."""

    start: dt.date
    end: dt.date

    @classmethod
    def ending(cls, end: dt.date, years: int = 3) -> Window:
        try:
            start = end.replace(year=end.year - years)
        except ValueError:  # 29 February
            start = end.replace(year=end.year - years, day=28)
        return cls(start=start + dt.timedelta(days=1), end=end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_seconds(self) -> int:
        return seconds(self.start)

    @property
    def now(self) -> int:
        return seconds(self.end) + DAY


def seconds(day: dt.date) -> int:
    """Midnight UTC of a date, in seconds since 1970."""
    return int((day - dt.date(1970, 1, 1)).days) * DAY


def recording_break(window: Window) -> dt.date:
    """The first day counted by the new recording system: the month a commissioner declares as a change point."""
    day = window.start + dt.timedelta(days=int(window.days * RECORDING_BREAK_SHARE))
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def surge_start(window: Window) -> int:
    """The surge's first day, in days from the start of the window."""
    return int(window.days * SURGE_START_SHARE)


def daily_rate(window: Window) -> np.ndarray:
    """Relative number of referrals expected on each day of the window."""
    days = np.arange(window.days)
    dates = np.datetime64(window.start, "D") + days
    months = dates.astype("datetime64[M]").astype(int) % 12
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(int)
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    rate = MONTH_FACTOR[months] * WEEKDAY_FACTOR[weekday] * (1 + TREND_PER_YEAR * days / 365.25)
    festive = (day_of_year >= 357) | (day_of_year <= 1)
    rate[festive] *= 1.15
    rate[np.isin(dates.astype("datetime64[M]").astype(str), TOURNAMENT_MONTHS)] *= 1 + TOURNAMENT
    rate[dates >= np.datetime64(recording_break(window))] *= 1 + RECORDING_BREAK
    into_surge = days - surge_start(window)
    ramp = np.clip(np.minimum(into_surge, SURGE_DAYS - into_surge) / SURGE_RAMP_DAYS, 0, 1)
    return rate * (1 + SURGE * ramp)


def arrival_times(rng: np.random.Generator, n: int, window: Window, channel: np.ndarray) -> np.ndarray:
    """Receipt times (seconds), one per referral, unsorted: office hours for professionals, evenings for others."""
    rate = daily_rate(window)
    day = np.repeat(np.arange(window.days), rng.multinomial(n, rate / rate.sum()))
    day = rng.permutation(day)
    office = np.clip(rng.normal(13, 2.5, n), 8, 18.9)
    evening = np.mod(rng.normal(20, 3.5, n), 24)
    any_time = rng.random(n) * 24
    hour = np.where(channel == "professional", office, np.where(rng.random(n) < 0.6, evening, any_time))
    return window.start_seconds + day * DAY + (hour * HOUR).astype(np.int64)


@dataclass
class Linkage:
    survivor: np.ndarray  # survivor index per referral, survivors numbered by first referral
    previous: np.ndarray  # the survivor's referral just before this one; NA for her first
    first_referral: np.ndarray  # per survivor: the index of her first referral


def link_survivors(
    rng: np.random.Generator, received: np.ndarray, sealed: np.ndarray, share: float = LATER_REFERRAL_SHARE
) -> Linkage:
    """Make about a fifth of referrals later referrals of an earlier survivor, months after an earlier referral.

    `received` must be sorted. Sealed referrals (abuse by police) neither repeat nor are repeated here: they stand
    apart, as the sealed pathway does. `share` 0 makes none (demo.planted places repeats instead).
    """
    n = len(received)
    later = bernoulli(rng, share, n) & ~sealed
    gap = np.clip(lognormal(rng, 190, 0.7, n), 30, 1000) * DAY
    parent = np.searchsorted(received, received - gap.astype(np.int64), side="right") - 1
    later &= parent >= 0
    later[later] &= ~sealed[parent[later]]
    root = np.where(later, parent, np.arange(n))
    while True:  # follow chains of later referrals back to each survivor's first
        deeper = root[root]
        if np.array_equal(deeper, root):
            break
        root = deeper
    first_referral, survivor = np.unique(root, return_inverse=True)
    order = np.lexsort((np.arange(n), survivor))
    previous = np.full(n, NA, dtype=np.int64)
    same = survivor[order[1:]] == survivor[order[:-1]]
    previous[order[1:][same]] = order[:-1][same]
    return Linkage(survivor=survivor, previous=previous, first_referral=first_referral)
