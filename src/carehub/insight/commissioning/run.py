"""A commissioning run over the extract: the queries, the statistics, findings in plain words, and the outputs.

`run(data_dir, out_dir)` writes results.json (everything the pages draw, every count already through `protect`:
perturbed by its cell key, hidden under the threshold),
results.csv (every published figure, one per line) and report.html (printable, no scripts), and views/*.parquet: the
count tables the pages' filters and each service manager's view are computed from per request (`views`; read by
the server only, never published as they are). The steps are named as they start, so a long run on ten million
referrals shows where it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import math
from collections.abc import Callable
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint
from threadpoolctl import threadpool_limits

from ..equality.backends import connect
from . import capacity, protect, queries, views
from . import demand as rates
from .forecast import SEASON, forecast
from .queue import fte_needed
from .settings import Settings
from .waits import summarise

STAGE_LABELS = {
    "offer": "a first offer",
    "acceptance": "a service accepting her",
    "first_contact": "first contact from the service",
    "allocation": "a caseworker",
}
REASON_LABELS = {
    "no_capacity": "No capacity",
    "outside_eligibility": "Outside eligibility",
    "nrpf_not_accepted": "No recourse to public funds not accepted",
    "language_not_available": "Language not available",
    "survivor_declined": "She declined",
    "could_not_contact": "Could not contact her",
    "other": "Another reason",
}


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _count_text(count: int | None, threshold: int) -> str:
    return f"fewer than {threshold}" if count is None or count < threshold else f"{count:,}"


def year_on_year(last: int, before: int) -> dict:
    """Change of the last 12 months on the 12 before, with a 95% interval for the ratio of two Poisson counts."""
    if not last or not before:
        return {"last": last, "before": before, "change": None, "low": None, "high": None}
    spread = norm.ppf(0.975) * math.sqrt(1 / last + 1 / before)
    ratio = last / before
    return {
        "last": last,
        "before": before,
        "change": ratio - 1,
        "low": ratio * math.exp(-spread) - 1,
        "high": ratio * math.exp(spread) - 1,
    }


def _scan(tables) -> dict:
    """Every count the run publishes, in few passes over the extract: the demand cube (months x splits, with the
    by-and-for counts and the last 365 days' referrals), people per month with the repeat share, and closed cases'
    support days, each count with its cell key. Everything after this step works on these small tables."""
    referrals = tables["referrals"]
    latest, end = _ends(referrals)
    people, repeat = queries.people_by_month(referrals)
    scanned = {
        "latest": latest,
        "end": end,
        "columns": set(referrals.columns),
        "cube": queries.demand_cube(referrals, since=latest - pd.Timedelta(days=365)),
        "people": people,
        "repeat": repeat,
    }
    if "support_weeks" in referrals.columns:
        spells = _support_days(referrals)
        closed = spells[spells.state == "closed"].drop(columns=["state", "ckey"], errors="ignore")
        scanned["support_days"] = closed.reset_index(drop=True)
        scanned["now"] = spells[spells.state != "closed"].reset_index(drop=True)
    if "services" in tables:  # the directory's staffing: a few hundred rows at most
        scanned["services"] = tables["services"].to_pandas().sort_values("service_key", ignore_index=True)
    return scanned


def _ends(referrals) -> tuple[pd.Timestamp, pd.Timestamp | None]:
    """The latest referral, and the end of the data: the latest referral plus the days it was observed (the
    extract's `days_observed` counts to the end of the data), so a month the data stop in is known to be partial
    even when no referral came on its last days. None without `days_observed`: every month is then taken as whole."""
    if "days_observed" not in referrals.columns:
        return pd.Timestamp(referrals.received_at.max().to_pandas()), None
    found = referrals.aggregate(latest=referrals.received_at.max(), least=referrals.days_observed.min()).to_pandas()
    latest = pd.Timestamp(found.latest.iloc[0])
    return latest, latest + pd.Timedelta(days=float(found.least.iloc[0]))


def whole_months(monthly: pd.DataFrame, end: pd.Timestamp | None) -> pd.DataFrame:
    """The months (rows of "YYYY-MM" `month`) over by the end of the data: the month the data stop in counts only
    its first days, so fitting a forecast or a year-on-year change to it would read a fall that did not happen."""
    if end is None or monthly.empty:
        return monthly
    last = pd.Timestamp(monthly.month.iloc[-1] + "-01", tz="UTC") + pd.offsets.MonthBegin(1)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")  # a backend may drop the zone
    return monthly if end >= last else monthly.iloc[:-1]


def _utc(at: pd.Timestamp) -> pd.Timestamp:
    """In UTC, whether the backend kept the zone or dropped it (as `whole_months` reads it)."""
    return at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")


def _quarter(month: pd.Series) -> pd.Series:
    return (month // 12).astype(str) + "Q" + (month % 12 // 3 + 1).astype(str)


def _demand(scanned: dict, settings: Settings) -> tuple[dict, list[dict]]:
    """The published demand figures, and the exact monthly counts the forecast is fitted to (never published): whole
    months only, as is the year-on-year change (the month the data stop in is published, but not compared)."""
    cube = scanned["cube"]
    per_month = cube.groupby("month", as_index=False)[["referrals", "ckey"]].sum()
    monthly = per_month.merge(scanned["people"], on="month", how="left")
    monthly = pd.DataFrame(
        {
            "month": [queries.month_label(m) for m in monthly.month],
            "referrals": monthly.referrals.astype("int64"),
            "ckey": monthly.ckey.astype("int64") % protect.KEYS,
            "people": monthly.people.fillna(0).astype("int64"),
            "pkey": monthly.pkey.fillna(0).astype("int64"),
        }
    )
    repeat = scanned["repeat"]
    people = protect.publish(repeat["people"], repeat["people_ckey"], settings)
    again = protect.publish(repeat["repeat_people"], repeat["repeat_ckey"], settings)
    result = {
        "monthly": [
            {"month": m, "referrals": protect.publish(n, k, settings), "people": protect.publish(p, pk, settings)}
            for m, n, k, p, pk in monthly[["month", "referrals", "ckey", "people", "pkey"]].itertuples(index=False)
        ],
        "total": protect.publish(int(monthly.referrals.sum()), protect.cell_key(monthly.ckey), settings),
        "repeat": {
            "people": people,
            "repeat_people": again,
            "share": again / people if people and again is not None else None,  # from the published counts
        },
        "by": {},
    }
    whole = whole_months(monthly, scanned.get("end"))
    counts, keys = whole.referrals.to_numpy(), whole.ckey.to_numpy()
    result["year_on_year"] = None
    if len(counts) >= 24:  # each 12 months is a cell of its own, keyed by its months' keys
        last = protect.publish(int(counts[-12:].sum()), protect.cell_key(keys[-12:]), settings)
        before = protect.publish(int(counts[-24:-12].sum()), protect.cell_key(keys[-24:-12]), settings)
        result["year_on_year"] = year_on_year(last or 0, before or 0)
    if "borough" in cube.columns:
        result["rates"] = rates.borough_rates_from_cube(cube, settings)
    for split in ("channel", "need", "risk_level"):
        if split in cube.columns:
            frame = cube.assign(quarter=_quarter(cube.month))
            quarterly = frame.groupby(["quarter", split], as_index=False)[["referrals", "ckey"]].sum()
            result["by"][split] = protect.table(quarterly, split, "quarter", "referrals", settings).to_dict("records")
    exact = whole[["month", "referrals"]].to_dict("records")
    return result, exact


def _forecast(monthly: list[dict], settings: Settings, published: list[dict] | None = None) -> dict | None:
    """The forecast from the exact monthly counts; a flagged month's observed count (and how far it lies beyond
    the interval) is the published one, so a flag never gives back an exact count."""
    counts = np.array([row["referrals"] for row in monthly], float)
    months = tuple(row["month"] for row in monthly)
    if len(counts) < 4 * SEASON:  # three years to fit and one to backtest on: fewer, and the choice means nothing
        return None
    result = forecast(
        counts,
        months,
        horizon=settings.forecast_horizon,
        candidates=settings.candidates,
        change_points=settings.change_points,
        events=settings.events,
        origins=settings.backtest_origins,
    )
    return {
        "model": result.model,
        "mase": result.mase,
        "backtest": result.backtest,
        "adjustment": result.adjustment,
        "months": [
            {
                "month": m,
                "mean": float(result.mean[i]),
                "lower80": float(result.lower80[i]),
                "upper80": float(result.upper80[i]),
                "lower95": float(result.lower95[i]),
                "upper95": float(result.upper95[i]),
                "sigma": float(result.sigma[i]),
            }
            for i, m in enumerate(result.months)
        ],
        "flags": [_published_flag(flag.__dict__, published) for flag in result.flags],
    }


def _published_flag(flag: dict, published: list[dict] | None) -> dict:
    if published is None:
        return flag
    observed = next((m["referrals"] for m in published if m["month"] == flag["month"]), None)
    above = flag["direction"] == "above"
    return {
        **flag,
        "observed": observed,
        "beyond": None if observed is None else (observed - flag["upper95"] if above else flag["lower95"] - observed),
        "relative": None if observed is None else observed / flag["expected"] - 1,
    }


def _waits(counted: dict[str, pd.DataFrame], months: list[int], settings: Settings) -> dict:
    """Kaplan-Meier per stage and the waiting list, from the filters' count tables summed over their keys (the same
    counts per whole day as the oracle `wait_counts` and months in and out as the oracle `waiting_list`, without reading
    the extract again); `months` are those with referrals, the waiting list's months."""
    out = {}
    waits = counted["waits"]
    for stage in queries.STAGES:
        if waits.empty or stage not in set(waits.stage):
            continue
        counts = waits[waits.stage == stage].groupby(["days", "finished"], as_index=False)[["women", "ckey"]].sum()
        summary = summarise(stage, counts.days.to_numpy(), counts.finished.to_numpy(bool), counts.women.to_numpy())
        waiting = counts[~counts.finished.to_numpy(bool)]
        out[stage] = {
            "label": STAGE_LABELS[stage],
            # Counts of women through `protect`; the waits themselves are Kaplan-Meier on the exact counts.
            "people": protect.publish(summary.people, protect.cell_key(counts.ckey), settings),
            "still_waiting": protect.publish(summary.still_waiting, protect.cell_key(waiting.ckey), settings),
            "median": _finite(summary.median),
            "median_low": _finite(summary.median_ci[0]),
            "median_high": _finite(summary.median_ci[1]),
            "p90": _finite(summary.p90),
            "p90_low": _finite(summary.p90_ci[0]),
            "p90_high": _finite(summary.p90_ci[1]),
            "naive_median": _finite(summary.naive_median),
        }
    waiting = []
    if not counted["waiting"].empty:
        per_month = counted["waiting"].groupby("month")[["waiting", "ckey"]].sum()
        per_month = per_month.reindex(months, fill_value=0)  # a month no one was waiting at is a zero, key 0
        shown = protect.publish_all(per_month.waiting.to_numpy(), per_month.ckey.to_numpy() % protect.KEYS, settings)
        waiting = [{"month": queries.month_label(m), "waiting": n} for m, n in zip(months, shown, strict=True)]
    return {"stages": out, "waiting_list": waiting}


def _unmet(tables, scanned: dict, settings: Settings) -> dict:
    cube = scanned["cube"]
    asked, offered = None, None
    if "asked" in cube.columns:
        asked = protect.publish(int(cube.asked.sum()), protect.cell_key(cube.asked_ckey), settings)
        offered = protect.publish(int(cube.offered.sum()), protect.cell_key(cube.offered_ckey), settings)
    # The share and its interval are computed from the published counts (a hidden "offered" hides the share).
    shown = asked is not None and offered is not None and offered <= asked
    low, high = proportion_confint(offered, asked, method="wilson") if shown else (None, None)
    result = {
        "by_and_for": {
            "asked": asked,
            "offered": offered,
            "share": offered / asked if shown else None,
            "low": low,
            "high": high,
            "suppressed": not shown,
        }
    }
    if "offers" not in tables:
        result["declines"] = []
        return result
    result["declines"] = decline_rows(queries.declines(tables["offers"]), settings)
    return result


def decline_rows(frame, settings: Settings) -> list[dict]:
    """Declines per 100 offers by reason and service type, from counts of offers (and their cell keys) per (service
    type, reason), with the reason blank for offers not declined; every count through `protect`, and the rate from
    the published counts."""
    if frame.empty:
        return []
    frame = frame.assign(decline_reason=frame.decline_reason.replace("", "not_declined"))
    published = protect.table(frame, "decline_reason", "service_type", "offers", settings)
    totals = published[published.decline_reason == queries.TOTAL].set_index("service_type").offers
    rows = []
    for row in published.to_dict("records"):
        if row["decline_reason"] in ("not_declined", queries.TOTAL):
            continue
        total = totals.get(row["service_type"])
        rate = None if row["offers"] is None or not total else 100 * row["offers"] / total
        rows.append(
            {
                "service_type": row["service_type"],
                "reason": row["decline_reason"],
                "reason_label": REASON_LABELS.get(row["decline_reason"], row["decline_reason"]),
                "declines": row["offers"],
                "offers": total,
                "per_100_offers": rate,
            }
        )
    return rows


def _capacity(scanned: dict, results: dict, settings: Settings) -> dict | None:
    """Caseworkers needed so that 90% of women wait under the target for a caseworker, with the asked probability
    over futures drawn from the forecast (its uncertainty carried through), against today's and what the gap costs.

    Support durations come from closed cases (whole weeks in the extract), today's FTE from the directory's services
    in the extract. An extract written before it carried services gives what it always gave: the FTE needed for
    forecast demand, shared out over the service types, and `today_recorded` False (the page says so)."""
    if not results.get("forecast") or "support_days" not in scanned:
        return None
    histogram = scanned["support_days"]
    if histogram.n.sum() < settings.suppression_threshold:
        return None
    forecast_months = results["forecast"]["months"]
    demand = float(np.mean([m["mean"] for m in forecast_months]))
    log_sd = float(np.mean([m["sigma"] for m in forecast_months]))
    found = {
        "log_sd": log_sd,
        "monthly_demand": demand,
        "months": [m["month"] for m in forecast_months],
        "cost_per_fte": settings.cost_per_fte,
        "cost_source": settings.cost_source,
        "caseload_per_fte": settings.caseload_per_fte,
        "target_days": settings.wait_target_days,
        "probability": settings.wait_target_probability,
    }
    inputs = _scenario_inputs(scanned, histogram, demand, settings)
    now = scanned.get("now")
    inputs = {need: {**v, "queue_now": capacity.published_start(now, need, settings)} for need, v in inputs.items()}
    staffing = capacity.today_fte(scanned.get("services"))
    if staffing is None:
        start = capacity.start_state(now, list(inputs))
        return {**found, **_pooled(histogram, demand, log_sd, inputs, settings, start), "today_recorded": False}
    by_type = {
        need: {**v, **capacity.service_type_gap(v, staffing.get(need), log_sd=log_sd, months=found["months"],
                                                settings=settings, start=capacity.start_state(now, [need]))}
        for need, v in inputs.items()
    }  # fmt: skip
    return {**found, "by_service_type": by_type, "total": capacity.total(by_type, settings), "today_recorded": True}


def _pooled(histogram, demand: float, log_sd: float, inputs: dict, settings: Settings, start: dict) -> dict:
    """Without today's FTE: the hub's need as one pool, shared out over the service types by workload (demand x mean
    duration) as the scenario page's starting point; from today's queue and open cases of the types modelled."""
    per_day = histogram.groupby("days").n.sum()
    needed = fte_needed(
        probability=settings.wait_target_probability,
        monthly_demand=demand,
        log_sd=log_sd,
        durations_days=np.repeat(per_day.index.to_numpy(float), per_day.to_numpy()),
        caseload=settings.caseload_per_fte,
        target_days=settings.wait_target_days,
        runs=settings.simulation_runs,
        seed=settings.seed,
        **start,
    )
    workload = {k: v["monthly_demand"] * float(np.mean(v["durations_days"])) for k, v in inputs.items()}
    shared = {
        need: {**v, "fte": round(needed.fte * workload[need] / sum(workload.values()) * 2) / 2, "start": "shared"}
        for need, v in inputs.items()
    }
    return {
        "by_service_type": shared,
        "fte": needed.fte,
        "cost": needed.fte * settings.cost_per_fte,
        "probability_met": needed.probability_under_target,
        "p90_wait_median": float(np.median(needed.p90_wait)),
    }


def _support_days(referrals):
    """Referrals per (need, state, whole days), in the one pass that read closed cases' durations: `closed`, days
    of support (the durations); `open`, allocated and not closed, days in support so far (each holds a caseworker
    slot today); `waiting`, not yet allocated at the end of the data, days 0 (the women waiting now). A small table
    whatever the volume. Its `open` and `waiting` counts are exact and start the queue; with their cell keys
    (`ckey`, where the extract is keyed) a page sees them only as `capacity.published_start` publishes them.

    Waiting means her case is waiting for a caseworker where the extract says whether she accepted a service
    (`accepted`): a referral declined or withdrawn is never allocated, and would otherwise wait forever. An extract
    without the column (the synthetic one) counts every referral not yet allocated."""
    allocated = referrals.days_to_allocation.notnull()
    closed = referrals.support_weeks.notnull()
    waiting = ~allocated
    if "accepted" in referrals.columns:
        waiting = waiting & referrals.accepted.fill_null(False)
    state = ibis.cases((closed, "closed"), (allocated, "open"), (waiting, "waiting"), else_=ibis.null("string"))
    days = ibis.cases(
        (closed, (referrals.support_weeks * 7).round()),
        (allocated, (referrals.days_observed - referrals.days_to_allocation).floor()),
        else_=0,
    ).cast("int64")
    need = referrals.need if "need" in referrals.columns else ibis.literal("")
    keyed = referrals.mutate(need=need, state=state, days=days).filter(state.notnull())
    measures = {"n": keyed.count()}
    if "record_key" in keyed.columns:  # the cell keys of today's queue and open cases, published per service type
        measures["ckey"] = (keyed.record_key.sum() % protect.KEYS).cast("int64")
    found = keyed.group_by(["need", "state", "days"]).aggregate(**measures).to_pandas()
    return found.sort_values(["need", "state", "days"], ignore_index=True)


def _scenario_inputs(scanned: dict, histogram, demand: float, settings: Settings) -> dict:
    """What the queue needs per service type (the need she was referred for), for the gap and for the scenario page
    to re-run it: its share of forecast demand (from the last 12 months) and 99 quantiles of its support durations
    in days. Quantiles, never rows: aggregates only, and service types with fewer closed cases than the suppression
    threshold are left out."""
    cube = scanned["cube"]
    if "need" not in cube.columns:
        return {}
    counts = cube.groupby(cube.need.fillna("\0"))[["recent", "recent_ckey"]].sum().reset_index()
    counts = counts[counts.recent > 0].replace({"need": {"\0": None}})  # needs with a referral in the last 365 days
    # Shares from the published counts: an exact share of exact counts would give the counts back (the fraction's
    # denominator), so the shares are of the perturbed counts, and a service type whose count is hidden is left out.
    shown = [
        protect.publish(n, k % protect.KEYS, settings) for n, k in zip(counts.recent, counts.recent_ckey, strict=True)
    ]
    counts = counts.assign(n=shown).dropna(subset=["n"])
    total = counts.n.sum()
    out = {}
    for row in counts.itertuples(index=False):
        spells = histogram[histogram.need == row.need].sort_values("days")
        if spells.n.sum() < settings.suppression_threshold:
            continue
        done = spells.n.cumsum().to_numpy() / spells.n.sum()
        days = [float(spells.days.iloc[int(np.searchsorted(done, q / 100))]) for q in range(1, 100)]
        out[row.need] = {"share": row.n / total, "monthly_demand": demand * row.n / total, "durations_days": days}
    return dict(sorted(out.items()))


def findings(results: dict, settings: Settings) -> list[str]:
    """Three to six sentences a councillor can read aloud, each figure with its uncertainty."""
    threshold = settings.suppression_threshold
    said = []
    yoy = results["demand"].get("year_on_year")
    if yoy and yoy["change"] is not None:
        direction = "rose" if yoy["change"] >= 0 else "fell"
        said.append(
            f"Referrals {direction} {abs(yoy['change']):.0%} (95% CI {yoy['low']:+.0%} to {yoy['high']:+.0%}) to "
            f"{yoy['last']:,} in the last 12 months, against {yoy['before']:,} in the 12 months before."
        )
    else:
        months = results["demand"]["monthly"]
        total = results["demand"]["total"]
        said.append(f"There were {_count_text(total, threshold)} referrals in the {len(months)} months of data.")
    fc = results.get("forecast")
    if fc:
        first = fc["months"][0]
        said.append(
            f"Next month ({first['month']}) about {first['mean']:,.0f} referrals are expected (95% prediction "
            f"interval {first['lower95']:,.0f} to {first['upper95']:,.0f}); on past data the forecast was "
            f"{'more' if fc['mase'] < 1 else 'less'} accurate than repeating last year (MASE {fc['mase']:.2f})."
        )
        last_year = results["demand"]["monthly"][-12]["month"]  # an old surge is history, not news
        recent = [
            f
            for f in fc["flags"]
            if f["direction"] == "above" and f["month"] >= last_year and f["observed"] is not None
        ][-1:]
        if recent:
            flag = recent[0]
            said.append(
                f"In the last 12 months demand last rose above its expected range in {flag['month']}: "
                f"{flag['observed']:,.0f} referrals, "
                f"{flag['relative']:.0%} above what was expected{' (' + flag['event'] + ')' if flag['event'] else ''}."
            )
    stage = results["waits"]["stages"].get("allocation") or next(iter(results["waits"]["stages"].values()), None)
    if stage and stage["median"] is not None:
        ci = (
            f" (95% CI {stage['median_low']:.0f} to {stage['median_high']:.0f})"
            if stage["median_low"] is not None and stage["median_high"] is not None
            else ""
        )
        p90 = f"; one in ten waited more than {stage['p90']:.0f} days" if stage["p90"] is not None else ""
        said.append(
            f"Half of women waited {stage['median']:.0f} days or more for {stage['label']}{ci}{p90}, counting the "
            f"{_count_text(stage['still_waiting'], threshold)} still waiting."
        )
    share = results["unmet"]["by_and_for"]
    if share["asked"] and not share["suppressed"]:
        said.append(
            f"Of {share['asked']:,} women who asked for a service run by and for their community, "
            f"{share['share']:.1%} were offered one (95% CI {share['low']:.1%} to {share['high']:.1%})."
        )
    refused = [r for r in results["unmet"]["declines"] if r["reason"] == "no_capacity" and r["declines"] is not None]
    if refused:
        worst = max(refused, key=lambda r: r["per_100_offers"] or 0)
        said.append(
            f"{worst['service_type'].replace('_', ' ').capitalize()} services turned down "
            f"{worst['per_100_offers']:.0f} in every 100 offers for lack of capacity."
        )
    found = results.get("capacity")
    if found and found.get("today_recorded"):
        said.append(gap_sentence(found))
    elif found:
        said.append(
            f"For the forecast demand (about {found['monthly_demand']:,.0f} referrals a month), keeping nine in ten "
            f"women's wait for a caseworker under {found['target_days']:.0f} days in {found['probability']:.0%} "
            f"of likely futures needs about {found['fte']:,.1f} full-time caseworkers, "
            f"£{found['cost']:,.0f} a year at £{found['cost_per_fte']:,.0f} each; today's FTE is not recorded in this "
            f"extract, so this is not the gap to today's."
        )
    # At most six: the capacity sentence replaces the least urgent (the decline rate) when there are seven.
    return said if len(said) <= 6 else [*said[:5], said[-1]]


SERVICE_TYPE_WORDS = {
    "idva": "IDVA",
    "isva": "ISVA",
    "legal_immigration": "legal and immigration advice",
    "children": "support for children and young people",
}


def service_type_words(service_type: str) -> str:
    """A service type in a sentence: "counselling", "advice line", "IDVA"."""
    return SERVICE_TYPE_WORDS.get(service_type, service_type.replace("_", " "))


def _wait_words(days: float) -> str:
    return "a year or more" if days >= 365 else f"{days:.0f} days"


def gap_sentence(found: dict) -> str:
    """The funding gap in words: the service type whose gap costs most, with today's FTE and the wait it gives (and
    its spread over likely futures), then the hub's total; said differently when no type is short or none recorded."""
    target = f"under {found['target_days']:.0f} days with {found['probability']:.0%} probability"
    total = found["total"]
    short = [(t, v) for t, v in found["by_service_type"].items() if v["gap_fte"]]
    missing = ""
    if total["not_recorded_types"]:
        words = " and ".join(service_type_words(t) for t in total["not_recorded_types"])
        missing = f" Today's FTE is not recorded for {words}, so it is left out."
    if not short and total["today_fte"] == 0:
        return (
            f"Today's caseworker FTE is not recorded for any service type, so the gap cannot be measured: keeping nine "
            f"in ten waits {target} needs about {total['needed_fte']:,.1f} full-time caseworkers."
        )
    if not short:
        return (
            f"The {total['today_fte']:,.1f} full-time caseworkers recorded today are enough to keep nine in ten waits "
            f"for a caseworker {target} in every service type with FTE recorded.{missing}"
        )
    name, worst = max(short, key=lambda item: item[1]["gap_cost"])
    today, wait = worst["today"], worst["projection"]["p90_wait"]
    partly = (
        f" ({len(today['not_recorded'])} of its {today['services']} services have none recorded)"
        if today["not_recorded"]
        else ""
    )
    others = (
        f" Across the service types with FTE recorded, the gap is about {total['gap_fte']:,.1f} caseworkers "
        f"(£{total['gap_cost']:,.0f} a year)."
        if len(short) > 1
        else ""
    )
    return (
        f"To keep nine in ten waits for a caseworker {target}, {service_type_words(name)} needs about "
        f"{worst['gap_fte']:,.1f} more full-time caseworkers (£{worst['gap_cost']:,.0f} a year) than the "
        f"{today['fte']:,.1f} recorded today{partly}; with today's, one in ten would wait more than "
        f"{_wait_words(wait['median'])} ({_wait_words(wait['low'])} to {_wait_words(wait['high'])} in 8 of 10 likely "
        f"futures).{others}{missing}"
    )


def chart_specs(results: dict) -> dict:
    """Vega-Lite specs for the pages (drawn by vega-embed from JSON script tags); each has a table beside it."""
    demand = [
        {"month": m["month"], "referrals": m["referrals"], "kind": "Received"} for m in results["demand"]["monthly"]
    ]
    band = []
    if results.get("forecast"):
        band = [
            {"month": m["month"], "referrals": m["mean"], "low": m["lower95"], "high": m["upper95"], "kind": "Forecast"}
            for m in results["forecast"]["months"]
        ]
    charts = {
        **({"rates": _rates_chart(results["demand"]["rates"])} if results["demand"].get("rates") else {}),
        "demand": {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "description": "Referrals received each month, and the forecast with its 95% prediction interval.",
            "width": "container",
            "height": 260,
            "layer": [
                {
                    "data": {"values": band},
                    "mark": {"type": "area", "opacity": 0.3, "color": "#1d70b8"},
                    "encoding": {
                        "x": {"field": "month", "type": "temporal", "title": "Month"},
                        "y": {"field": "low", "type": "quantitative"},
                        "y2": {"field": "high"},
                    },
                },
                {
                    "data": {"values": demand + band},
                    "mark": {"type": "line", "point": False},
                    "encoding": {
                        "x": {"field": "month", "type": "temporal", "title": "Month"},
                        "y": {"field": "referrals", "type": "quantitative", "title": "Referrals"},
                        "color": {"field": "kind", "type": "nominal", "title": ""},
                        "strokeDash": {"field": "kind", "type": "nominal", "title": ""},
                    },
                },
            ],
        },
        "waits": {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "description": "Median and 90th percentile days waited, each step (still-waiting women counted).",
            "width": "container",
            "height": 200,
            "data": {
                "values": [
                    {"stage": s["label"], "measure": name, "days": s[key]}
                    for s in results["waits"]["stages"].values()
                    for name, key in (("Median", "median"), ("90th percentile", "p90"))
                    if s[key] is not None
                ]
            },
            "mark": "bar",
            "encoding": {
                "y": {"field": "stage", "type": "nominal", "title": "Waiting for"},
                "x": {"field": "days", "type": "quantitative", "title": "Days"},
                "yOffset": {"field": "measure"},
                "color": {"field": "measure", "type": "nominal", "title": ""},
            },
        },
        "declines": {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "description": "Declines per 100 offers, by reason and service type (hidden counts left out).",
            "width": "container",
            "height": 240,
            "data": {
                "values": [
                    {"service": r["service_type"], "reason": r["reason_label"], "per_100": r["per_100_offers"]}
                    for r in results["unmet"]["declines"]
                    if r["per_100_offers"] is not None
                ]
            },
            "mark": "bar",
            "encoding": {
                "y": {"field": "service", "type": "nominal", "title": "Service type"},
                "x": {"field": "per_100", "type": "quantitative", "title": "Declines per 100 offers", "stack": True},
                "color": {"field": "reason", "type": "nominal", "title": "Reason"},
            },
        },
    }
    found = results.get("capacity") or {}
    if found.get("today_recorded"):
        charts["capacity"] = _capacity_chart(found)
        charts["projection"] = _projection_chart(found)
    return charts


def _capacity_chart(found: dict) -> dict:
    """Full-time caseworkers per service type: recorded today beside what the wait target needs (a type with none
    recorded has no "today" bar; its table row says "not recorded")."""
    values = []
    for name, v in found["by_service_type"].items():
        if v["today"]["recorded"]:
            values.append({"service": service_type_words(name), "kind": "Recorded today", "fte": v["today"]["fte"]})
        values.append({"service": service_type_words(name), "kind": "Needed for the target", "fte": v["needed"]["fte"]})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Full-time caseworkers per service type: recorded today, and needed to keep nine in ten waits "
        f"under {found['target_days']:.0f} days with {found['probability']:.0%} probability.",
        "width": "container",
        "height": max(120, 40 * len(found["by_service_type"])),
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "service", "type": "nominal", "title": "Service type"},
            "x": {"field": "fte", "type": "quantitative", "title": "Full-time caseworkers"},
            "yOffset": {"field": "kind"},
            "color": {"field": "kind", "type": "nominal", "title": ""},
        },
    }


def _projection_chart(found: dict) -> dict:
    """Women waiting for a caseworker at each month end over the forecast's year with today's caseworkers, per
    service type: the median future as a line, the middle 80% of futures as a band."""
    values = [
        {"service": service_type_words(name), "month": w["month"], "waiting": w["median"], "low": w["low"],
         "high": w["high"]}
        for name, v in found["by_service_type"].items()
        if v["projection"]
        for w in v["projection"]["waiting"]
    ]  # fmt: skip
    x = {"field": "month", "type": "temporal", "title": "Month"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Women waiting for a caseworker at each month end over the next 12 months with today's "
        "caseworkers, by service type, with the range of 8 in 10 likely futures.",
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": {"field": "service", "type": "nominal", "title": "Service type"},
                },
            },
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "waiting", "type": "quantitative", "title": "Women waiting (projected)"},
                    "color": {"field": "service", "type": "nominal", "title": "Service type"},
                },
            },
        ],
    }


def _rates_chart(found: dict) -> dict:
    """Referrals per 10,000 adult women by borough with their 95% intervals, and the SafeLives level as a rule: drawn
    with Altair (Vega-Lite), boroughs with hidden counts left out (the table beside it says so)."""
    import altair as alt
    import pandas as pd

    shown = pd.DataFrame(
        [
            {"borough": r["name"], "rate": r["rate"], "low": r["low"], "high": r["high"], "referrals": r["referrals"]}
            for r in found["rows"]
            if r["rate"] is not None
        ],
        columns=["borough", "rate", "low", "high", "referrals"],
    )
    order = alt.EncodingSortField(field="rate", order="descending")
    y = alt.Y("borough:N", sort=order, title="Borough")
    base = alt.Chart(shown)
    layers = [
        base.mark_rule(color="#505a5f").encode(
            y=y, x=alt.X("low:Q", title="Referrals a year per 10,000 adult women (95% CI)"), x2="high:Q"
        ),
        base.mark_point(filled=True, color="#1d70b8", size=60).encode(
            y=y, x="rate:Q", tooltip=["borough", alt.Tooltip("rate:Q", format=".1f"), "referrals:Q"]
        ),
    ]
    marac = found["norms"].get("marac_cases")
    if marac:
        norm = pd.DataFrame([{"norm": marac["value"], "label": f"SafeLives: {marac['value']:.0f} MARAC cases"}])
        layers.append(
            alt.Chart(norm).mark_rule(color="#d4351c", strokeDash=[6, 4]).encode(x="norm:Q", tooltip=["label:N"])
        )
    chart = alt.layer(*layers).properties(
        width="container",
        height=max(120, 16 * len(shown)),
        description="Referrals in the last 12 months per 10,000 adult women, by borough, with 95% intervals; the "
        "dashed line is the SafeLives planning level of MARAC cases.",
    )
    return chart.to_dict()


def run(
    data_dir: Path,
    out_dir: Path | None = None,
    *,
    backend: str = "duckdb",
    settings: Settings | None = None,
    con=None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Everything a commissioner sees, from the extract in `data_dir`; written to `out_dir` when given."""
    settings = settings or Settings()
    step = progress or (lambda _: None)
    step(f"Opening the extract on {backend}")
    tables = queries.open_extract(Path(data_dir), con or connect(backend), settings.record_key_secret)
    step("Counting demand: months, splits, people and repeats")
    results: dict = {"generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "backend": backend}
    scanned = _scan(tables)
    step("Counts for filtered views and each service's own (waits and the waiting list come from them)")
    counted = {"filters": views.counts(tables, ["borough", "need"])}
    if "service_key" in tables["referrals"].columns:
        counted["services"] = views.counts(tables, ["service_key"])
    step("Demand: borough rates and splits")
    results["demand"], exact_monthly = _demand(scanned, settings)
    # The end of the data (None when the extract has no days_observed): a service's own forecast, made on her page
    # from the count tables, keeps to whole months by it, as the run's forecast does.
    end = scanned.get("end")
    results["end_of_data"] = None if end is None else _utc(end).isoformat()
    # One BLAS thread for the small matrices of the model fits and the queue: on two shared cores a second thread
    # only spins (the forecast took four times as long with two), and the answers are the same.
    with threadpool_limits(limits=1, user_api="blas"):
        step("Forecasting and flagging surges")
        results["forecast"] = _forecast(exact_monthly, settings, results["demand"]["monthly"])
        step("Waits (Kaplan-Meier, still-waiting women censored)")
        months = sorted(scanned["cube"].month.unique().tolist())
        results["waits"] = _waits(counted["filters"], months, settings)
        step("Unmet need: declines and by-and-for offers")
        results["unmet"] = _unmet(tables, scanned, settings)
        step("Capacity: caseworkers needed for the wait target (queue simulation)")
        results["capacity"] = _capacity(scanned, results, settings)
    results["views"] = sorted(counted)
    results["filter_choices"] = views.choices(counted["filters"])  # the form's options, without reading the tables
    results["suppression"] = {
        "threshold": settings.suppression_threshold,
        "max_change": settings.perturbation_max,
        "variance": settings.perturbation_variance,
        "sentence": protect.sentence(settings),
    }
    results["norms"] = [n.__dict__ for n in settings.norms]
    results["findings"] = findings(results, settings)
    results["charts"] = chart_specs(results)
    if out_dir is not None:
        step("Writing results.json, results.csv and report.html")
        write(results, Path(out_dir))
        for prefix, found in counted.items():
            views.write(found, Path(out_dir) / "views", prefix)
    return results


def csv_rows(results: dict) -> list[list]:
    """Every published figure, one per line: table, the keys that place it, the figure (blank where suppressed)."""
    rows = [["table", "key", "subkey", "measure", "value"]]
    for m in results["demand"]["monthly"]:
        rows.append(["demand", m["month"], "", "referrals", m["referrals"]])
    for r in (results["demand"].get("rates") or {}).get("rows", []):
        for key in ("referrals", "adult_women", "rate", "low", "high", "idvas"):
            value = r[key] if r[key] is None or key in ("referrals", "adult_women") else round(r[key], 2)
            rows.append(["demand_per_10000_adult_women", r["borough"], "last_12_months", key, value])
    for split, cells in results["demand"]["by"].items():
        for c in cells:
            rows.append([f"demand_by_{split}", c[split], c["quarter"], "referrals", c["referrals"]])
    for m in (results.get("forecast") or {}).get("months", []):
        for key in ("mean", "lower80", "upper80", "lower95", "upper95"):
            rows.append(["forecast", m["month"], "", key, round(m[key], 1)])
    for stage, s in results["waits"]["stages"].items():
        for key in ("median", "median_low", "median_high", "p90", "p90_low", "p90_high", "still_waiting"):
            rows.append(["waits", stage, "", key, s[key]])
    for w in results["waits"]["waiting_list"]:
        rows.append(["waiting_list", w["month"], "", "waiting", w["waiting"]])
    found = results.get("capacity") or {}
    for key, value in found.items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            rows.append(["capacity", "", "", key, round(value, 2)])
    if found.get("today_recorded"):
        rows += _gap_rows(found)
    for name, v in (found.get("by_service_type") or {}).items():  # today's queue, where the scenario page starts
        now = v.get("queue_now") or {}
        rows += [["queue_now", name, "", k, now.get(k)] for k in ("waiting", "open")]
        rows += [
            ["queue_now", name, f"tenth_{i + 1}", "open_days", d]
            for i, d in enumerate(now.get("open_days_tenths") or [])
        ]
    for d in results["unmet"]["declines"]:
        rate = None if d["per_100_offers"] is None else round(d["per_100_offers"], 2)
        rows.append(["declines", d["service_type"], d["reason"], "per_100_offers", rate])
    return rows


def _gap_rows(found: dict) -> list[list]:
    """Per service type: today's FTE (blank: not recorded), the FTE needed, the gap and its cost, the p90 wait with
    today's FTE and its spread; and the waiting list projected at each month end."""
    rows = []
    for name, v in found["by_service_type"].items():
        recorded = v["today"]["recorded"]
        wait = (v["projection"] or {}).get("p90_wait") or {}
        figures = {
            "today_fte": v["today"]["fte"] if recorded else None,
            "services": v["today"]["services"],
            "services_fte_not_recorded": len(v["today"]["not_recorded"]),
            "needed_fte": v["needed"]["fte"],
            "gap_fte": v["gap_fte"],
            "surplus_fte": v["surplus_fte"],
            "gap_cost": v["gap_cost"],
            "p90_wait_today_median": wait.get("median"),
            "p90_wait_today_low": wait.get("low"),
            "p90_wait_today_high": wait.get("high"),
            "probability_met_today": (v["projection"] or {}).get("probability_met"),
        }
        rows += [
            ["capacity_by_service_type", name, "", k, None if x is None else round(x, 2)] for k, x in figures.items()
        ]
        for w in (v["projection"] or {}).get("waiting", []):
            rows += [["projected_waiting_list", name, w["month"], k, w[k]] for k in ("median", "low", "high")]
    total = found["total"]
    for key in ("today_fte", "needed_fte", "gap_fte", "surplus_fte", "gap_cost"):
        rows.append(["capacity_total", "", "", key, round(total[key], 2)])
    return rows


def write(results: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1, default=_plain), encoding="utf-8")
    with (out_dir / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in csv_rows(results)])
    (out_dir / "report.html").write_text(report_html(results), encoding="utf-8")


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON: {type(value)}")


def _fte_text(value: float | None) -> str:
    return "not recorded" if value is None else f"{value:,.1f}"


def _gap_html(found: dict) -> str:
    """The report's capacity section: today's FTE against what the target needs, drawn as bars (plain SVG: the
    report has no scripts and prints), then the same figures as a table; or, without today's FTE, says so."""
    e = html.escape
    title = "<h2>Capacity and the funding gap</h2>"
    if not found.get("today_recorded"):
        return (
            f"{title}<p data-fte-not-recorded>Today's FTE not recorded: this extract holds no directory of services, "
            f"so the report gives the FTE the wait target needs ({found['fte']:,.1f}), not the gap to today's.</p>"
        )
    rows = list(found["by_service_type"].items())
    most = max([v["needed"]["fte"] for _, v in rows] + [v["today"]["fte"] for _, v in rows] + [1.0])
    bars = []
    for i, (name, v) in enumerate(rows):
        y = 10 + i * 44
        bars.append(f"<text x='0' y='{y + 14}'>{e(service_type_words(name))}</text>")
        for j, (label, fte, colour) in enumerate(
            (("today", v["today"]["fte"] if v["today"]["recorded"] else None, "#1d70b8"),
             ("needed", v["needed"]["fte"], "#d4351c"))
        ):  # fmt: skip
            width = 0 if fte is None else 380 * fte / most
            bars.append(
                f"<rect x='140' y='{y + j * 18}' width='{width:.1f}' height='14' fill='{colour}'/>"
                f"<text x='{145 + width:.1f}' y='{y + j * 18 + 12}'>{label}: {_fte_text(fte)}</text>"
            )
    svg = (
        f"<svg role='img' aria-labelledby='gap-title' width='640' height='{20 + 44 * len(rows)}' "
        f"font-size='12' font-family='sans-serif'><title id='gap-title'>Full-time caseworkers per service type: "
        f"recorded today (blue) and needed for the wait target (red)</title>{''.join(bars)}</svg>"
    )
    head = ["Service type", "Recorded today", "Services without FTE", "Needed", "Gap", "Surplus", "Gap a year (£)",
            "Nine in ten wait at most, today's FTE (days)"]  # fmt: skip
    body = []
    for name, v in rows:
        wait = (v["projection"] or {}).get("p90_wait")
        cells = [
            service_type_words(name),
            _fte_text(v["today"]["fte"] if v["today"]["recorded"] else None),
            str(len(v["today"]["not_recorded"])),
            f"{v['needed']['fte']:,.1f}",
            "" if v["gap_fte"] is None else f"{v['gap_fte']:,.1f}",
            "" if v["surplus_fte"] is None else f"{v['surplus_fte']:,.1f}",
            "" if v["gap_cost"] is None else f"{v['gap_cost']:,.0f}",
            "" if wait is None else f"{wait['median']:.0f} ({wait['low']:.0f} to {wait['high']:.0f})",
        ]
        body.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    return (
        f"{title}<p data-gap>{e(gap_sentence(found))}</p>{svg}<table><thead><tr>"
        + "".join(f"<th scope='col'>{e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def report_html(results: dict) -> str:
    """A printable page: findings first, then each table. Self-contained, no scripts."""
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Commissioning evidence</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.2em .5em;text-align:right}th:first-child,td:first-child"
        "{text-align:left}</style></head><body><h1>Commissioning evidence</h1><h2>Findings</h2><ul>",
        *(f"<li>{e(s)}</li>" for s in results["findings"]),
        "</ul>",
    ]
    rates = results["demand"].get("rates")
    if rates:
        parts.append(f"<h2>Demand against population</h2><p data-headline='rates'>{e(rates['headline'])}</p><ul>")
        parts += [f"<li>{n['value']:g} {e(n['unit'])} ({e(n['source'])})</li>" for n in rates["norms"].values()]
        parts.append(f"<li>Adult women: {e(rates['population_source'])}</li></ul>")
    found = results.get("capacity")
    if found:
        parts.append(_gap_html(found))
    header, *body = csv_rows(results)
    said = e(results["suppression"]["sentence"])
    parts.append(f"<h2>Every published figure</h2><p data-protection>{said} A blank is a hidden figure.</p>")
    parts.append("<table><thead><tr>")
    parts += [f"<th scope='col'>{e(h)}</th>" for h in header]
    parts.append("</tr></thead><tbody>")
    for row in body:
        parts.append("<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in row) + "</tr>")
    parts.append("</tbody></table></body></html>")
    return "".join(parts)
