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
from scipy.stats import norm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import STL

from .settings import ChangePoint, KnownEvent

SEASON = 12
# The trend is smoothed over three years: shorter, and a sustained surge bends it, turning the months either side
# into false falls.
TREND_MONTHS = 37
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


def adjust_for_breaks(counts: np.ndarray, months: tuple[str, ...], points: tuple[ChangePoint, ...]):
    """The series with each break handled as its setting says, the months kept, and what was done."""
    y, kept, notes = counts.astype(float), tuple(months), {}
    for point in sorted(points, key=lambda p: p.month):
        if point.month not in kept:
            continue
        b = kept.index(point.month)
        if point.mode == "adjust" and b >= 2 * SEASON and len(y) - b >= SEASON:
            across = np.median(y[b : b + SEASON] / y[b - SEASON : b])
            before = np.median(y[b - SEASON : b] / y[b - 2 * SEASON : b - SEASON])
            shift = across / before
            y = np.concatenate([y[:b] * shift, y[b:]])
            notes[point.month] = {"mode": "adjust", "level_shift": round(float(shift) - 1, 4), "reason": point.reason}
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


def _without_events(log_y: np.ndarray, months, named: dict) -> np.ndarray:
    """Known-event months replaced by the mean of the same month a year either side (when not events themselves):
    a tournament every other June would otherwise teach the seasonal pattern a June peak, and every quiet June
    would then look like a fall."""
    out = log_y.copy()
    for i, month in enumerate(months):
        if month in named:
            near = [log_y[j] for j in (i - SEASON, i + SEASON) if 0 <= j < len(log_y) and months[j] not in named]
            if near:
                out[i] = float(np.mean(near))
    return out


def surge_flags(y, months, events: tuple[KnownEvent, ...], *, level: float = 0.99) -> list[Flag]:
    """Months where demand left its interval around a robust decomposition of the series.

    The expected value of each month is its trend times its seasonal factor from a robust STL decomposition of log
    demand (statsmodels STL, robust=True, which down-weights unusual months), so a surge neither teaches the seasonal
    pattern a false peak (flagging the same month next year as a fall) nor hides itself by lifting the level. The
    scale is robust too (median absolute residual), so a surge does not widen the interval meant to catch it.

    `level` is 99% by default: at 95% one month in twenty leaves the interval by chance, nearly two a year in three
    years, more than a commissioner can chase; at 99% it is one in eight years.
    """
    log_y = np.log(np.maximum(y, 1))
    named = {m: e.name for e in events for m in e.months}
    fit = STL(_without_events(log_y, months, named), period=SEASON, seasonal=13, trend=TREND_MONTHS, robust=True).fit()
    expected_log = fit.trend + fit.seasonal
    residual = log_y - expected_log
    scale = 1.4826 * np.median(np.abs(residual - np.median(residual)))
    z = norm.ppf(0.5 + level / 2)
    flags = []
    for i in range(len(y)):
        expected, lower, upper = (np.exp(expected_log[i] + k * z * scale) for k in (0, -1, 1))
        if lower <= y[i] <= upper:
            continue
        above = y[i] > upper
        flags.append(
            Flag(
                months[i],
                float(y[i]),
                float(expected),
                float(lower),
                float(upper),
                "above" if above else "below",
                float(y[i] - upper if above else lower - y[i]),
                float(y[i] / expected - 1),
                named.get(months[i], ""),
            )
        )
    return flags


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
    from .synthetic import month_labels

    y, kept, notes = adjust_for_breaks(np.asarray(counts), months, change_points)
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
        flags=tuple(surge_flags(y, kept, events)),
        adjustment=notes,
    )
