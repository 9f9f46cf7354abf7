"""Capacity and the funding gap: today's caseworkers per service type, what they give over the forecast's year, what
the wait target needs, and the difference in caseworkers and in money.

Today's caseworkers are the directory's, as its service managers keep them (`services.parquet` in the extract): the
FTE of a service type is the sum over its services, and a service whose FTE is not recorded is counted and named as
such, never as a service with no caseworkers. The year under today's FTE and the FTE the target needs both come from
the same queue simulation (`queue.project`, `queue.fte_needed`) on the same seeded futures drawn from the forecast,
so the difference between them is the model's, not two models'. FTE is not a count of people: it needs no
suppression; the demand and durations it is fed are the run's (shares of published counts, quantiles of durations).
Today's queue, which the scenario page starts from too, is published as counts through `protect` (`published_start`).
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from . import protect
from .queue import Projection, fte_needed, project
from .settings import Settings


def today_fte(services: pd.DataFrame | None) -> dict[str, dict] | None:
    """Per service type: the recorded FTE summed, how many services, and the keys of those with none recorded.
    None when the extract carries no services (written before it did): today's FTE is then not recorded at all."""
    if services is None:
        return None
    out = {}
    for service_type, group in services.groupby("service_type", sort=True):
        recorded = group.caseworker_fte.notna().to_numpy()
        out[str(service_type)] = {
            "fte": round(float(group.caseworker_fte.to_numpy()[recorded].sum()), 1),  # as recorded: tenths
            "services": len(group),
            "recorded": int(recorded.sum()),
            "not_recorded": sorted(group.service_key.to_numpy()[~recorded].tolist()),
        }
    return out


def start_state(now: pd.DataFrame | None, needs: list[str]) -> dict:
    """The queue's start for the service types `needs` (summed): women waiting for a caseworker now, and open cases
    by whole days in support so far (`queue.project`'s `waiting_now` and `in_support`). Exact counts: they feed the
    simulation only, whose figures are futures' spreads a month and more ahead, never these counts. An extract
    without them (no `support_weeks`) starts empty, as every projection did before."""
    if now is None or now.empty:
        return {"waiting_now": 0, "in_support": None}
    mine = now[now.need.isin(needs)]
    opened = mine[mine.state == "open"]
    in_support = np.zeros(int(opened.days.max()) + 1 if len(opened) else 1, np.int64)
    np.add.at(in_support, np.maximum(opened.days.to_numpy(np.int64), 0), opened.n.to_numpy(np.int64))
    return {"waiting_now": int(mine[mine.state == "waiting"].n.sum()), "in_support": in_support}


TENTHS = [(i + 0.5) / 10 for i in range(10)]  # the middle of each tenth of the open cases: 5%, 15%, ..., 95%


def published_start(now: pd.DataFrame | None, need: str, settings: Settings) -> dict:
    """Today's queue for one service type as the results may hold it, for the scenario page to start from today as
    `start_state` starts the commissioner page's year (`queue.projected_wait` reads it back).

    `waiting` (women waiting for a caseworker now) and `open` (open cases now) are published counts: perturbed on
    their cell keys (the sum of their rows' keys, as every count here) and hidden (None) under the threshold. An
    extract whose table carries no cell keys has them rounded to base 5 and hidden under the threshold instead.
    The open cases' days in support so far are given as the middle of each tenth of them (`open_days_tenths`,
    ten days), never by day, and only when there are at least the threshold's open cases and their count is shown:
    ten quantiles of a handful of cases would be the cases."""
    out: dict = {"waiting": None, "open": None, "open_days_tenths": None}
    if now is None or now.empty:
        return out  # no queue recorded: read as an empty start, as a hidden count is

    def shown(rows: pd.DataFrame) -> int | None:
        n = int(rows.n.sum())
        if "ckey" in rows.columns:
            return protect.publish(n, protect.cell_key(rows.ckey), settings)
        rounded = 5 * round(n / 5)
        return rounded if rounded >= settings.suppression_threshold else None

    mine = now[now.need == need]
    opened = mine[mine.state == "open"].sort_values("days")
    out["waiting"], out["open"] = shown(mine[mine.state == "waiting"]), shown(opened)
    exact = int(opened.n.sum())
    if out["open"] and exact >= settings.suppression_threshold:
        done = opened.n.cumsum().to_numpy() / exact
        out["open_days_tenths"] = [int(opened.days.iloc[int(np.searchsorted(done, q))]) for q in TENTHS]
    return out


def month_days(months: list[str]) -> tuple[int, ...]:
    """Days in each forecast month ("YYYY-MM"), so the projection counts the waiting list at real month ends."""
    return tuple(calendar.monthrange(int(m[:4]), int(m[5:7]))[1] for m in months)


def _spread(values: np.ndarray, digits: int = 1) -> dict:
    """The median over the simulated futures and the range holding the middle 80% of them."""
    low, median, high = np.quantile(np.asarray(values, float), [0.1, 0.5, 0.9])
    return {
        "median": round(float(median), digits),
        "low": round(float(low), digits),
        "high": round(float(high), digits),
    }


def projection(result: Projection, months: list[str]) -> dict:
    """A year under one FTE: the p90 wait and the waiting list at each month end, each with its spread over the
    futures drawn from the forecast (whole women for the waiting list: a simulated figure, not a count)."""
    return {
        "fte": result.fte,
        "p90_wait": _spread(result.p90_wait, 0),
        "probability_met": result.probability_under_target,
        "waiting": [{"month": m, **_spread(result.waiting[:, i], 0)} for i, m in enumerate(months)],
        **(
            {}
            if result.p90_by_month is None
            else {
                "p90_wait_by_month": [
                    {"month": m, **_spread(result.p90_by_month[:, i], 0)} for i, m in enumerate(months)
                ]
            }
        ),
    }


def service_type_gap(
    inputs: dict,
    staffing: dict | None,
    *,
    log_sd: float,
    months: list[str],
    settings: Settings,
    start: dict | None = None,
) -> dict:
    """One service type: the FTE the wait target needs, the year under today's FTE (when any is recorded), and the
    gap (needed minus today, when short) or the surplus (when today's is more): never a negative gap. `fte` is the
    scenario page's starting point: today's where recorded, else what the target needs (said so by `start`).

    Both start from today (`start_state`: the women waiting now and the caseworker slots open cases hold), so the
    year "under today's FTE" begins with today's queue, not an empty one."""
    common = {
        "monthly_demand": inputs["monthly_demand"],
        "log_sd": log_sd,
        "durations_days": np.asarray(inputs["durations_days"], float),
        "caseload": settings.caseload_per_fte,
        "target_days": settings.wait_target_days,
        "runs": settings.simulation_runs,
        "seed": settings.seed,
        "month_days": month_days(months),
        **(start or {}),
    }
    needed = fte_needed(probability=settings.wait_target_probability, **common)
    staffing = staffing or {"fte": 0.0, "services": 0, "recorded": 0, "not_recorded": []}
    out = {
        "today": staffing,
        "needed": {**projection(needed, months), "cost": needed.fte * settings.cost_per_fte},
        "projection": None,
        "gap_fte": None,
        "surplus_fte": None,
        "gap_cost": None,
        "fte": needed.fte,
        "start": "needed",
    }
    if not staffing["recorded"]:
        return out
    gap = round(needed.fte - staffing["fte"], 1)  # FTE are kept in tenths: no 10.700000000000001
    return {
        **out,
        "projection": projection(project(fte=staffing["fte"], by_month=True, **common), months),
        "gap_fte": max(0.0, gap),
        "surplus_fte": max(0.0, -gap),  # 0.0 first: max(-0.0, 0.0) would be -0.0
        "gap_cost": max(0.0, gap) * settings.cost_per_fte,
        "fte": staffing["fte"],
        "start": "today",
    }


def total(by_type: dict[str, dict], settings: Settings) -> dict:
    """The hub's totals over the service types modelled: today's recorded FTE, the FTE needed, and the gap as the
    sum of each type's shortfall (a surplus in one type does not staff another, so none is netted off); types with
    no FTE recorded are named, and left out of today's FTE and of the gap rather than counted as none."""
    recorded = {t: v for t, v in by_type.items() if v["today"]["recorded"]}
    gap = round(sum(v["gap_fte"] for v in recorded.values()), 1)
    return {
        "today_fte": round(sum(v["today"]["fte"] for v in recorded.values()), 1),
        "needed_fte": sum(v["needed"]["fte"] for v in by_type.values()),
        "needed_fte_recorded_types": sum(v["needed"]["fte"] for v in recorded.values()),
        "gap_fte": gap,
        "surplus_fte": round(sum(v["surplus_fte"] for v in recorded.values()), 1),
        "gap_cost": gap * settings.cost_per_fte,
        "not_recorded_types": sorted(set(by_type) - set(recorded)),
        "not_recorded_services": sum(len(v["today"]["not_recorded"]) for v in by_type.values()),
    }
