"""Filtered views of the evidence (borough, service type, period) and each service's own, from small count tables.

A run cannot foresee every combination a commissioner asks for, and the extract is gone once published; so it
keeps the counts the figures are made from (never a row about a person): referrals per (month, key...), women per
(wait stage, key..., period, whole day, finished or still waiting), women waiting per (month end, key...) and
offers per (key..., period, service type, decline reason). `view` sums the rows a filter keeps and computes the
same figures as the run (Kaplan-Meier waits with censoring, rates per 10,000 with exact intervals, declines per 100
offers), publishing every count by the same rule, so a filtered page costs a few milliseconds and no extract.

Every count table carries a `ckey` column beside each count: the sum of its records' keys mod 256 (`protect`). A view
sums the rows a filter keeps and sums their keys too, so a count is published as n + ptable[n, key] whichever view
asks for the same women: London's month, a borough's, a borough's by service type. Views that overlap therefore do
not subtract to a hidden count: each figure, totals included, carries its own small change (at most
`Settings.perturbation_max`), so London's month minus the other 32 boroughs' same month is the hidden borough plus
the sum of 33 changes, not the count; and asking again gives the same number, never a fresh draw to average.
Counts published under the threshold are hidden. There is no secondary suppression: it existed to stop totals
giving back hidden cells, which perturbed totals no longer do (see `protect`).

The keys are (borough, need) for the commissioners' filters (the service type of a referral is the need she was
referred for, as on the scenario page; of an offer, the type of the service offered) and (service_key) for a
service manager's own view (a referral's key is the service it was routed to; an offer's, the service that made it,
so her declines are her service's own; offers without a key give no declines per service).
Counts are written as Parquet beside results.json and read only by the server.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from . import demand as rates
from . import protect, queries
from .settings import Settings
from .waits import summarise

PERIODS = {
    "all": "the whole of the data",
    "last_12_months": "the last 12 months",
    "previous_12_months": "the 12 months before the last 12",
}
TABLES = ("demand", "waits", "waiting", "declines")
FILTERS = {"borough": "borough", "service_type": "need", "service": "service_key"}  # filter name: column


class UnknownFilter(ValueError):
    """A filter value the published evidence does not hold: the page says so rather than showing nothing."""


BUCKETS = ("last_12_months", "previous_12_months", "earlier")  # the period codes 0, 1, 2 the backend counts by


def _bucket(month: ibis.Value, last: int) -> ibis.Value:
    """The period a month (year * 12 + month - 1) falls in, counted back from the last month of data, as its
    position in BUCKETS: an integer key groups faster than a string, and is named once the counts are small."""
    return ibis.cases((month > last - 12, 0), (month > last - 24, 1), else_=2)


def _periods(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(period=np.asarray(BUCKETS, dtype=object)[frame.period.to_numpy(int)])


def counts(tables: dict[str, ibis.Table], keys: list[str]) -> dict[str, pd.DataFrame]:
    """The count tables for `keys` (columns of referrals.parquet): three GROUP BYs in the backend (waits of every
    stage at once; the waiting list's months in and out, which summed give demand; offers joined to their
    referrals)."""
    referrals = tables["referrals"]
    keys = [k for k in keys if k in referrals.columns]
    cols = [referrals[k].fill_null("").name(k) for k in keys]
    latest = pd.Timestamp(referrals.received_at.max().to_pandas())
    last = latest.year * 12 + latest.month - 1
    day = queries.day_number(referrals.received_at)
    month = queries.month_number(day)
    bucket = _bucket(month, last).name("period")
    out = {}
    stages = [s for s, c in queries.STAGES.items() if c in referrals.columns and "days_observed" in referrals.columns]
    if stages:
        # Every stage in one pass: each referral is counted once per stage (an unnested stage number), so the
        # extract is read once rather than once a stage.
        index = ibis.array(list(range(len(stages)))).unnest().name("stage")
        long = referrals.select(*cols, bucket, day_in=day, stage=index, observed=referrals.days_observed,
                                record_key=referrals.record_key,
                                **{s: referrals[queries.STAGES[s]] for s in stages})  # fmt: skip
        days = ibis.cases(*((long.stage == i, long[s]) for i, s in enumerate(stages)))
        time = ibis.coalesce(days, long.observed).floor().cast("int64").name("days")
        grouped = long.group_by([*keys, "period", "stage", time, days.notnull().name("finished")]).aggregate(
            women=long.count(), ckey=queries._ckey(long)
        )
        frame = _periods(grouped.to_pandas())
        frame["stage"] = np.asarray(stages, dtype=object)[frame.stage.to_numpy(int)]
        out["waits"] = frame[[*keys, "period", "days", "finished", "women", "ckey", "stage"]]
    else:
        out["waits"] = pd.DataFrame()
    if "days_to_allocation" in referrals.columns:
        through = day + referrals.days_to_allocation.ceil().cast("int64")
        pairs = (
            referrals.group_by([month.name("entered"), queries.month_number(through).name("left"), *cols])
            .aggregate(women=referrals.count(), ckey=queries._ckey(referrals))
            .to_pandas()
        )
        out["waiting"] = _waiting(pairs, keys)
        # Referrals per month are the pairs summed over the month out, their cell keys too: no query of their own.
        demand = pairs.groupby(["entered", *keys], as_index=False)[["women", "ckey"]].sum()
        demand["ckey"] = demand.ckey % protect.KEYS
        out["demand"] = demand.rename(columns={"entered": "month", "women": "referrals"})[
            ["month", *keys, "referrals", "ckey"]
        ]
    else:
        out["waiting"] = pd.DataFrame()
        demand = referrals.group_by([month.name("month"), *cols]).aggregate(
            referrals=referrals.count(), ckey=queries._ckey(referrals)
        )
        out["demand"] = demand.to_pandas()
    out["declines"] = pd.DataFrame()
    offers = tables.get("offers")
    # A service's offers are those made by it (the offer's own service_key), not those on referrals routed to it;
    # an extract whose offers carry no service key has no declines per service (they are not guessed).
    if offers is not None and ("service_key" not in keys or "service_key" in offers.columns):
        own = [k for k in keys if k in offers.columns]  # the offer's own keys win over its referral's
        theirs = [c for k, c in zip(keys, cols, strict=True) if k not in own]
        joined = offers.join(referrals.select("referral_key", *theirs, bucket), "referral_key")
        reason = ibis.ifelse(joined.status == "declined", joined.decline_reason, "").name("decline_reason")
        offer_keys = [joined[k].fill_null("").name(k) for k in keys if k != "need"]
        out["declines"] = _periods(
            joined.group_by([*offer_keys, joined.period, joined.service_type, reason])
            .aggregate(offers=joined.count(), ckey=queries._ckey(joined))
            .to_pandas()
        )
    return out


def _waiting(pairs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Women waiting at each month end per key: entered by then and not through by then (or still waiting), with
    the cell key of those women."""
    months = np.arange(pairs.entered.min(), pairs.entered.max() + 1) if len(pairs) else np.array([], int)
    left = pairs.left.fillna(np.iinfo(np.int64).max).to_numpy()
    rows = []
    groups = pairs.groupby(keys, dropna=False) if keys else [((), pairs)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        entered, gone, women = group.entered.to_numpy(), left[group.index], group.women.to_numpy()
        ckeys = group.ckey.to_numpy()
        for m in months:
            there = (entered <= m) & (gone > m)
            rows.append((*key, int(m), int(women[there].sum()), int(ckeys[there].sum() % protect.KEYS)))
    return pd.DataFrame(rows, columns=[*keys, "month", "waiting", "ckey"])


def write(found: dict[str, pd.DataFrame], folder: Path, prefix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in found.items():
        frame.to_parquet(folder / f"{prefix}_{name}.parquet", index=False)


def read(folder: Path, prefix: str) -> dict[str, pd.DataFrame] | None:
    paths = {name: Path(folder) / f"{prefix}_{name}.parquet" for name in TABLES}
    if not all(p.exists() for p in paths.values()):
        return None
    return {name: pd.read_parquet(path) for name, path in paths.items()}


def _label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def choices(found: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """The values each filter may take: those the published counts hold (blank, "not known", left out)."""
    demand = found["demand"]
    return {
        "borough": sorted(v for v in demand.get("borough", pd.Series(dtype=str)).unique() if v),
        "service_type": sorted(v for v in demand.get("need", pd.Series(dtype=str)).unique() if v),
        "period": list(PERIODS),
    }


@dataclass(frozen=True)
class Filters:
    borough: str = ""
    service_type: str = ""
    period: str = "all"
    service: str = ""

    @property
    def active(self) -> bool:
        return bool(self.borough or self.service_type or self.service) or self.period != "all"


def check(found: dict[str, pd.DataFrame], filters: Filters) -> None:
    """Raises UnknownFilter naming the first value the counts do not hold."""
    allowed = choices(found)
    if filters.period not in PERIODS:
        raise UnknownFilter(f"There is no period {filters.period[:40]!r}: choose one of {', '.join(PERIODS)}.")
    for name in ("borough", "service_type"):
        value = getattr(filters, name)
        if value and value not in allowed[name]:
            raise UnknownFilter(f"There is no {name.replace('_', ' ')} {value[:40]!r} in the published evidence.")


def _keep(frame: pd.DataFrame, filters: Filters, *, offers: bool = False) -> pd.DataFrame:
    mask = np.ones(len(frame), bool)
    for name, column in FILTERS.items():
        value = getattr(filters, name)
        if offers and name == "service_type":
            column = "service_type"
        if value and column in frame.columns:
            mask &= (frame[column] == value).to_numpy()
    return frame[mask]


def _months_in(period: str, last: int) -> tuple[int, int] | None:
    if period == "last_12_months":
        return last - 11, last
    if period == "previous_12_months":
        return last - 23, last - 12
    return None


def view(found: dict[str, pd.DataFrame], filters: Filters, settings: Settings, end: str | None = None) -> dict:
    """The figures for one filter, in the shape of results.json's demand, waits and unmet declines, every count
    through `protect` (perturbed by its cell key, hidden under the threshold); `end`, the end of the data, keeps a
    service's forecast to whole months."""
    from .run import STAGE_LABELS, decline_rows  # run imports this module

    check(found, filters)
    threshold = settings.suppression_threshold
    demand = found["demand"]
    last = int(demand.month.max())
    window = _months_in(filters.period, last)
    months = (window[0], window[1]) if window else (int(demand.month.min()), last)
    kept = _keep(demand, filters)
    kept = kept[(kept.month >= months[0]) & (kept.month <= months[1])]
    monthly = kept.groupby("month")[["referrals", "ckey"]].sum()
    monthly = monthly.reindex(range(months[0], months[1] + 1), fill_value=0)
    shown = protect.publish_all(monthly.referrals.to_numpy(), monthly.ckey.to_numpy() % protect.KEYS, settings)
    result: dict = {
        "filters": filters.__dict__,
        "threshold": threshold,
        "protection": protect.sentence(settings),
        "period_label": PERIODS[filters.period],
        "demand": {
            "monthly": [{"month": _label(m), "referrals": n} for m, n in zip(monthly.index, shown, strict=True)],
            "total": protect.publish(int(monthly.referrals.sum()), protect.cell_key(monthly.ckey), settings),
        },
    }
    if "borough" in kept.columns and not filters.service:
        by_borough = kept.groupby("borough")[["referrals", "ckey"]].sum()
        span = months[1] - months[0] + 1
        when = f"Over {PERIODS[filters.period]}" if filters.period == "all" else f"In {PERIODS[filters.period]}"
        populations, names = rates.adult_women(settings), rates.borough_names(settings)
        area = "London"
        if filters.borough:  # one borough: its row alone, as its own total
            populations = {filters.borough: populations.get(filters.borough, 0.0)}
            area = names.get(filters.borough, filters.borough)
        result["demand"]["rates"] = rates.rates_table(
            {str(b): int(n) for b, n in by_borough.referrals.items()},
            span,
            settings,
            populations,
            names,
            when=when,
            area=area,
            keys={str(b): int(k) for b, k in by_borough.ckey.items()},
        )
        found_rates = result["demand"]["rates"]
        found_rates["first_month"], found_rates["last_month"] = map(_label, months)
        if filters.borough:  # its row and its total are the same figures: one row
            found_rates["rows"] = [r for r in found_rates["rows"] if r["borough"] == rates.ALL_LONDON]
    stages = {}
    waits = found["waits"]
    if not waits.empty:
        waits = _keep(waits, filters)
        if window:
            waits = waits[waits.period == filters.period]
        for stage in queries.STAGES:
            rows = waits[waits.stage == stage].groupby(["days", "finished"], as_index=False)[["women", "ckey"]].sum()
            rows = rows[rows.women > 0]
            if rows.empty:
                continue
            stages[stage] = stage_figures(
                stage, STAGE_LABELS[stage], rows.days.to_numpy(), rows.finished.to_numpy(), rows.women.to_numpy(),
                settings, rows.ckey.to_numpy(),
            )  # fmt: skip
    waiting = found["waiting"]
    waiting_list = []
    if not waiting.empty:
        waiting = _keep(waiting, filters)
        waiting = waiting[(waiting.month >= months[0]) & (waiting.month <= months[1])]
        by_month = waiting.groupby("month")[["waiting", "ckey"]].sum()
        shown = protect.publish_all(by_month.waiting.to_numpy(), by_month.ckey.to_numpy() % protect.KEYS, settings)
        for month, n in zip(by_month.index, shown, strict=True):
            waiting_list.append({"month": _label(int(month)), "waiting": n})
    result["waits"] = {"stages": stages, "waiting_list": waiting_list}
    offers = found["declines"]
    declines = []
    if not offers.empty and (not filters.service or "service_key" in offers.columns):
        offers = _keep(offers, filters, offers=True)
        if window:
            offers = offers[offers.period == filters.period]
        frame = offers.groupby(["service_type", "decline_reason"], as_index=False)[["offers", "ckey"]].sum()
        declines = decline_rows(frame, settings)
    result["unmet"] = {"declines": declines}
    if filters.service and not window:
        result["forecast"] = service_forecast(monthly, result["demand"]["monthly"], settings, end)
    return result


def service_forecast(
    monthly: pd.DataFrame, published: list[dict], settings: Settings, end: str | None = None
) -> dict | None:
    """One service's forecast of referrals a month: the run's London forecast (`run._forecast`, the same model
    choice by backtest, change points and intervals) fitted to her service's exact monthly counts, published
    rounded to whole referrals, without the surge flags (a flag names a month's count and how far it lay beyond).

    Whole months only, as the run's own forecast (`run.whole_months`): `end`, the end of the data (results.json's
    `end_of_data`), leaves out the month the data stop in, whose few days would read as a fall and pull the
    forecast down; without it (evidence published before the run kept it) every month is taken as whole.

    None when the series is too short (the run's rule: four years of months) or small (any of its last 12 whole
    months hidden, judged on the published counts so the decision says nothing the page does not)."""
    from .run import whole_months

    labels = [_label(int(m)) for m in monthly.index]
    whole = whole_months(pd.DataFrame({"month": labels}), None if end is None else pd.Timestamp(end))
    published = published[: len(whole)]
    if len(published) < 12 or any(m["referrals"] is None for m in published[-12:]):
        return None
    counts = monthly.referrals.to_numpy()[: len(whole)]
    fitted = _fitted(tuple(whole.month), tuple(int(n) for n in counts), settings)
    if fitted is None:
        return None
    keys = ("mean", "lower80", "upper80", "lower95", "upper95")
    return {
        "model": fitted["model"],
        "mase": fitted["mase"],
        "months": [{"month": m["month"], **{k: round(m[k]) for k in keys}} for m in fitted["months"]],
    }


@functools.lru_cache(maxsize=64)
def _fitted(months: tuple[str, ...], counts: tuple[int, ...], settings: Settings) -> dict | None:
    """The fit is the page's slowest step (under a second): kept per series and settings while the server runs, so
    reloading her page, or a new run that leaves her counts as they were, fits nothing again."""
    from threadpoolctl import threadpool_limits

    from .run import _forecast

    with threadpool_limits(limits=1, user_api="blas"):
        return _forecast([{"month": m, "referrals": n} for m, n in zip(months, counts, strict=True)], settings)


def stage_figures(stage: str, label: str, days, finished, women, settings: Settings, ckeys) -> dict:
    """A wait stage's median and 90th percentile (Kaplan-Meier on the exact counts, still-waiting women censored)
    with intervals; all hidden when the published number of women in it is hidden, and the numbers of women
    published through `protect`, keyed by the women they count."""
    summary = summarise(stage, days, finished, women)
    ckeys, finished = np.asarray(ckeys), np.asarray(finished, bool)
    people = protect.publish(summary.people, protect.cell_key(ckeys), settings)
    still = protect.publish(summary.still_waiting, protect.cell_key(ckeys[~finished]), settings)

    def figure(value: float) -> float | None:
        return None if people is None or not np.isfinite(value) else float(value)

    return {
        "label": label,
        "people": people,
        "still_waiting": still,
        "median": figure(summary.median),
        "median_low": figure(summary.median_ci[0]),
        "median_high": figure(summary.median_ci[1]),
        "p90": figure(summary.p90),
        "p90_low": figure(summary.p90_ci[0]),
        "p90_high": figure(summary.p90_ci[1]),
        "naive_median": figure(summary.naive_median),
    }
