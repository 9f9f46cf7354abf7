"""Monthly demand: a forecast with 80% and 95% prediction intervals, and the months where demand left its interval.

Models are exponential smoothing state-space models (statsmodels ETSModel) on the log of the counts, so growth and
seasonal peaks are proportional and intervals stay positive; the candidate is chosen by a rolling-origin backtest
against the seasonal naive forecast (the same month last year), and the comparison is reported as MASE: the chosen
model's mean absolute error over the seasonal naive's on the same origins and horizons (below 1 means it beats it).

Breaks in a series (a new recording system) are never fitted through silently: see `settings.ChangePoint`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from .settings import ChangePoint, KnownEvent

SEASON = 12
# Surge flags: each month is judged by a model fitted on at most three years of months before it (a local trend:
# growth changes over a decade), with at least this many degrees of freedom left for the interval's scale.
SPAN = 60
MIN_DF = 6
CANDIDATES = {
    "ets_damped": {"trend": "add", "damped_trend": True},
    "ets_trend": {"trend": "add", "damped_trend": False},
    "ets_level": {"trend": None, "damped_trend": False},
}


@dataclass(frozen=True)
class Flag:
    month: str
    observed: float
    expected: float
    lower95: float
    upper95: float
    direction: str  # "above" or "below"
    beyond: float  # referrals beyond the interval's edge
    relative: float  # observed / expected - 1
    event: str  # a known event in that month, or ""


@dataclass(frozen=True)
class Forecast:
    model: str
    mase: float
    backtest: dict[str, float]  # candidate -> MAE on the backtest, with "seasonal_naive"
    months: tuple[str, ...]
    mean: np.ndarray
    lower80: np.ndarray
    upper80: np.ndarray
    lower95: np.ndarray
    upper95: np.ndarray
    sigma: np.ndarray  # standard deviation of log demand per horizon, for the queue model
    flags: tuple[Flag, ...]
    adjustment: dict  # what a change point did, for the report


def _fit(log_y: np.ndarray, candidate: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the backtest is the judge of fit
        model = ETSModel(
            pd.Series(log_y), error="add", seasonal="add", seasonal_periods=SEASON, **CANDIDATES[candidate]
        )
        return model.fit(disp=False, maxiter=200)


def adjust_for_breaks(
    counts: np.ndarray,
    months: tuple[str, ...],
    points: tuple[ChangePoint, ...],
    *,
    events: tuple[KnownEvent, ...] = (),
    flagged: tuple[str, ...] = (),
):
    """The series with each break handled as its setting says, the months kept, and what was done.

    An "adjust" break's level shift is the step coefficient of the seasonal regression (`_design`) fitted on log
    demand over the months either side of it, leaving out known events and `flagged` months, and robustly (Huber's
    M-estimator, then Tukey's biweight, which gives a surge's months no weight at all), so neither growth nor a
    surge near the break is mistaken for it."""
    y, kept, notes = counts.astype(float), tuple(months), {}
    for point in sorted(points, key=lambda p: p.month):
        if point.month not in kept:
            continue
        b = kept.index(point.month)
        if point.mode == "adjust" and b >= SEASON and len(y) - b >= SEASON:
            span = np.arange(max(0, b - SPAN), min(len(y), b + SPAN))
            skip = {m for e in events for m in e.months} | set(flagged)
            use = np.array([kept[i] not in skip for i in span])
            design = _design(kept, (point.month,))[span]
            log_y = np.log(np.maximum(y[span], 1))[use]
            huber = sm.RLM(log_y, design[use], M=sm.robust.norms.HuberT()).fit()
            fit = sm.RLM(log_y, design[use], M=sm.robust.norms.TukeyBiweight()).fit(start_params=huber.params)
            shift = float(np.exp(fit.params[-1]))
            y = np.concatenate([y[:b] * shift, y[b:]])
            notes[point.month] = {"mode": "adjust", "level_shift": round(shift - 1, 4), "reason": point.reason}
        else:
            y, kept = y[b:], kept[b:]
            notes[point.month] = {"mode": "restart", "reason": point.reason}
    return y, kept, notes


def backtest(y: np.ndarray, candidates, *, origins: int = 12, horizon: int = 12) -> dict[str, float]:
    """Mean absolute error of each candidate and of the seasonal naive over rolling origins, h = 1..horizon."""
    errors: dict[str, list[float]] = {name: [] for name in (*candidates, "seasonal_naive")}
    last = len(y) - horizon
    for origin in range(max(3 * SEASON, last - origins + 1), last + 1):
        actual = y[origin : origin + horizon]
        naive = np.resize(y[origin - SEASON : origin], horizon)
        errors["seasonal_naive"].extend(np.abs(actual - naive))
        for name in candidates:
            predicted = np.exp(_fit(np.log(np.maximum(y[:origin], 1)), name).forecast(horizon))
            errors[name].extend(np.abs(actual - predicted))
    return {name: float(np.mean(e)) for name, e in errors.items()}


def _design(months: tuple[str, ...], steps: tuple[str, ...]) -> np.ndarray:
    """Regressors of log demand per month: intercept, linear trend (in years), calendar-month dummies (January the
    base) and one step per declared "adjust" break (0 before it, 1 from it)."""
    t = np.arange(len(months)) / SEASON
    calendar = np.array([int(m[5:]) for m in months])
    dummies = (calendar[:, None] == np.arange(2, 13)[None, :]).astype(float)
    breaks = np.array([[m >= step for step in steps] for m in months], float).reshape(len(months), len(steps))
    return np.column_stack([np.ones(len(months)), t, dummies, breaks])


def _judge(log_y, design, month: int, train, level: float) -> tuple[float, float, float] | None:
    """Expected log demand in `month` and its prediction interval, from an OLS model fitted on `train` alone.

    Columns the training months cannot estimate (a calendar month or a step absent from them) are dropped; a month
    that needs one of them is left unjudged (None), as is one with fewer than MIN_DF degrees of freedom."""
    x = design[train]
    if len(x) <= MIN_DF:
        return None
    usable = x.std(axis=0) > 0
    usable[0] = True  # the intercept
    if np.any(design[month, ~usable] != 0):
        return None
    x = x[:, usable]
    if len(x) - x.shape[1] < MIN_DF or np.linalg.matrix_rank(x) < x.shape[1]:
        return None
    fit = sm.OLS(log_y[train], x).fit()
    frame = fit.get_prediction(design[month : month + 1, usable]).summary_frame(alpha=1 - level)
    return float(frame["mean"].iloc[0]), float(frame.obs_ci_lower.iloc[0]), float(frame.obs_ci_upper.iloc[0])


def _sequential(y: np.ndarray, kept: tuple[str, ...], named: dict, level: float):
    """Each month judged against the months before it (the first two years against the months after them)."""
    log_y = np.log(np.maximum(y, 1))
    design = _design(kept, ())
    usable = np.array([m not in named for m in kept])
    positions = np.arange(len(y))
    judged: dict[int, tuple[float, float, float]] = {}
    flagged = np.zeros(len(y), bool)
    left_out = np.zeros(len(y), bool)  # flagged months kept out of later fits, while a run is shorter than a year
    for i in positions:
        before = (positions < i) & (positions >= i - SPAN)
        found = _judge(log_y, design, i, before & usable & ~left_out, level)
        if found:
            judged[i] = found
            flagged[i] = left_out[i] = not found[1] <= log_y[i] <= found[2]
            run = i - (np.flatnonzero(~flagged[: i + 1])[-1] if (~flagged[: i + 1]).any() else -1)
            if run >= SEASON:  # a year of flags is a new level, not a surge: let the model learn it
                left_out[i - run + 1 : i + 1] = False
    for i in positions[::-1]:
        if i not in judged:
            after = (positions > i) & (positions <= i + SPAN)
            found = _judge(log_y, design, i, after & usable & ~left_out, level)
            if found:
                judged[i] = found
                flagged[i] = left_out[i] = not found[1] <= log_y[i] <= found[2]
    return flagged, judged


def surge_flags(
    y,
    months,
    events: tuple[KnownEvent, ...],
    *,
    change_points: tuple[ChangePoint, ...] = (),
    level: float = 0.995,
) -> list[Flag]:
    """Months where demand left the prediction interval of a model fitted on the months before them.

    The model is a regression of log demand on a linear trend and calendar months (statsmodels OLS; a "restart"
    break drops the months before it, an "adjust" one is adjusted for first), fitted on up to `SPAN` months before the
    month judged, leaving out known events and the months already flagged: so the first month of a surge is judged
    against the months before it, and so is every later one, rather than the surge teaching the model that it is
    normal (and a tournament every other June does not teach a June peak). The interval is OLS's prediction
    interval for a new month (t quantiles, the parameters' uncertainty included). The first months, with too few
    months before them to fit (two years), are judged the same way against the months after them, in reverse.

    `level` is 99.5%, from the budget a commissioner can chase, at most one false flag in three years: at 95% one
    month in twenty leaves the interval by chance (nearly two a year); at 99% about one a year in eight, but the
    count over a decade is random and exceeds three in one decade in twenty; at 99.5% in about one in two hundred.

    A run of flags a year long is a new level rather than a surge: from then on its months enter the fits again, so
    one misjudged month cannot set off flags for ever. An undeclared break shows as such a run: the remedy is
    declaring it (`settings.ChangePoint`), not a wider interval. A declared "adjust" break is taken out first
    (`adjust_for_breaks`, a robust step estimated from both sides), so the months straight after it are judged
    against a known shift, not one guessed from a month or two.
    """
    y = np.asarray(y, float)
    kept = tuple(months)
    for point in sorted(change_points, key=lambda p: p.month):
        if point.mode == "restart" and point.month in kept:
            b = kept.index(point.month)
            y, kept = y[b:], kept[b:]
    named = {m: e.name for e in events for m in e.months}
    adjust = tuple(p for p in change_points if p.mode != "restart" and p.month in kept[1:])
    raw = y
    if adjust:  # figures are given back on the counted scale
        y, adjusted, _ = adjust_for_breaks(raw, kept, adjust, events=events)
        raw, kept = raw[len(raw) - len(y) :], adjusted  # a break too near an end restarts the series instead
    flagged, judged = _sequential(y, kept, named, level)
    scale = raw / np.where(y > 0, y, 1)
    flags = []
    for i in np.flatnonzero(flagged):
        expected, lower, upper = (float(np.exp(v) * scale[i]) for v in judged[i])
        above = raw[i] > upper
        flags.append(
            Flag(
                kept[i],
                float(raw[i]),
                expected,
                lower,
                upper,
                "above" if above else "below",
                float(raw[i] - upper if above else lower - raw[i]),
                float(raw[i] / expected - 1),
                named.get(kept[i], ""),
            )
        )
    return flags


def month_labels(start: str, count: int) -> tuple[str, ...]:
    """`count` months from `start`, as "YYYY-MM": the forecast's months."""
    year, month = map(int, start.split("-"))
    return tuple(f"{year + (month - 1 + i) // 12:04d}-{(month - 1 + i) % 12 + 1:02d}" for i in range(count))


def forecast(
    counts: np.ndarray,
    months: tuple[str, ...],
    *,
    horizon: int = 12,
    candidates: tuple[str, ...] = tuple(CANDIDATES),
    change_points: tuple[ChangePoint, ...] = (),
    events: tuple[KnownEvent, ...] = (),
    origins: int = 12,
) -> Forecast:
    """Choose a model by backtest, forecast `horizon` months ahead with intervals, and flag surprising months."""
    flags = surge_flags(counts, months, events, change_points=change_points)
    y, kept, notes = adjust_for_breaks(
        np.asarray(counts), months, change_points, events=events, flagged=tuple(f.month for f in flags)
    )
    errors = backtest(y, candidates, origins=origins, horizon=horizon)
    best = min(candidates, key=errors.__getitem__)
    result = _fit(np.log(np.maximum(y, 1)), best)
    prediction = result.get_prediction(start=len(y), end=len(y) + horizon - 1)
    mean = np.asarray(prediction.predicted_mean)
    sd = np.sqrt(np.asarray(prediction.var_pred_mean))
    z80, z95 = norm.ppf(0.9), norm.ppf(0.975)
    next_month = month_labels(kept[-1], 2)[1]
    return Forecast(
        model=best,
        mase=errors[best] / errors["seasonal_naive"],
        backtest=errors,
        months=month_labels(next_month, horizon),
        mean=np.exp(mean),
        lower80=np.exp(mean - z80 * sd),
        upper80=np.exp(mean + z80 * sd),
        lower95=np.exp(mean - z95 * sd),
        upper95=np.exp(mean + z95 * sd),
        sigma=sd,
        flags=tuple(flags),
        adjustment=notes,
    )
