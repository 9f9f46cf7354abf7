"""The whole analysis on loaded episodes: description, adjusted Cox, the emulated trial, the landmark, the naive
comparison, money, and the findings in words. Returns one JSON-ready document.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from carehub.insight.suppression import suppress

from . import cox, trial
from .data import Episodes, design
from .estimators import aalen_johansen, kaplan_meier
from .findings import findings
from .spec import DurationError, Spec

WEEK = trial.WEEK


def _percentile_interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def after_end(ep: Episodes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Episodes that ended (not open, not ended by a competing event): days from the end to the first of repeat (1),
    competing event (2) or the extract date (0)."""
    ended = np.isfinite(trial.support_end_day(ep))
    competing = ep.competing_day - ep.support_days
    admin = ep.admin_day - ep.support_days
    day = np.minimum(np.minimum(ep.repeat_after_end, competing), admin)
    status = np.where(ep.repeat_after_end <= np.minimum(competing, admin - 1e-9), 1, np.where(competing < admin, 2, 0))
    return ended, day, status


def band_of(support_days: np.ndarray, spec: Spec) -> np.ndarray:
    """0 for up to the first edge (in weeks), 1 for the next band, ... (a week boundary belongs to the lower band)."""
    return np.searchsorted(np.asarray(spec.bands) * WEEK, support_days, side="left")


def describe(ep: Episodes, spec: Spec) -> dict:
    """Cumulative incidence of a repeat after support ends, by duration band, with KM beside it, and by group."""
    ended, day, status = after_end(ep)
    bands = band_of(ep.support_days, spec)
    labels = spec.band_labels()
    weeks = np.arange(spec.horizon_weeks + 1)
    out = []
    for b, label in enumerate(labels):
        rows = ended & (bands == b)
        if rows.sum() == 0:
            out.append({"band": label, "episodes": 0, "suppressed": True})
            continue
        cif = aalen_johansen(day[rows], status[rows], cause=1)
        km = kaplan_meier(day[rows], (status[rows] == 1).astype(int))
        repeats = int(((status[rows] == 1) & (day[rows] < WEEK * spec.horizon_weeks)).sum())
        small = rows.sum() < spec.threshold or repeats < spec.threshold
        out.append(
            {
                "band": label,
                "episodes": int(rows.sum()),
                "repeats_within_horizon": None if small else repeats,
                "suppressed": bool(small),
                "cumulative_incidence": None if small else [cif.at(WEEK * w) for w in weeks],
                "one_minus_km": None if small else [1 - km.at(WEEK * w) for w in weeks],
                "at_13_weeks": None if small else cif.at(WEEK * 13),
                "at_26_weeks": None if small else cif.at(WEEK * 26),
                "at_52_weeks": None if small else cif.at(WEEK * spec.horizon_weeks),
            }
        )
    return {
        "time_origin": "the end of support",
        "weeks": weeks.tolist(),
        "bands": out,
        "groups": _groups(ep, spec, ended, day, status, bands, labels),
    }


def _groups(ep, spec, ended, day, status, bands, labels) -> list[dict]:
    """Per group and band: episodes, and the 52-week cumulative incidence where the suppression rule allows."""
    horizon = WEEK * spec.horizon_weeks
    result = []
    for column in spec.groups:
        if column not in ep.covariates:
            continue
        codes, levels = _levels(ep.covariates[column].to_numpy()[ended])
        cell = codes * len(labels) + bands[ended]
        cells = len(levels) * len(labels)
        counted = np.bincount(cell, minlength=cells)
        repeated = np.bincount(cell, weights=(status[ended] == 1) & (day[ended] < horizon), minlength=cells)
        episodes = {
            (lv, lb): int(counted[i * len(labels) + b]) for i, lv in enumerate(levels) for b, lb in enumerate(labels)
        }
        repeats = {
            (lv, lb): int(repeated[i * len(labels) + b]) for i, lv in enumerate(levels) for b, lb in enumerate(labels)
        }
        shown_n = suppress(levels, labels, episodes, threshold=spec.threshold)
        shown_r = suppress(levels, labels, repeats, threshold=spec.threshold, hidden=shown_n.hidden)
        risks = _risks_at(cell, cells, day[ended], status[ended], horizon)
        for i, level in enumerate(levels):
            for b, label in enumerate(labels):
                key = (level, label)
                hidden = key in shown_n.hidden or key in shown_r.hidden
                result.append(
                    {
                        "group": column,
                        "level": level,
                        "band": label,
                        "episodes": None if hidden else episodes[key],
                        "risk_52_weeks": None if hidden else risks[i * len(labels) + b],
                        "suppressed": hidden,
                    }
                )
    return result


def _levels(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each value's level as text ("not recorded" when missing), levels sorted: codes and the levels."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    names = [str(u) for u in uniques] + ["not recorded"]
    codes = np.where(codes < 0, len(uniques), codes)
    present = sorted({names[c] for c in np.unique(codes).tolist()})
    position = {name: i for i, name in enumerate(present)}
    remap = np.array([position.get(name, -1) for name in names])
    return remap[codes], present


def _risks_at(cell: np.ndarray, cells: int, day: np.ndarray, status: np.ndarray, horizon: float) -> list[float]:
    """Aalen-Johansen cumulative incidence of cause 1 at `horizon` in every cell at once, ties exact.

    The same numbers as `aalen_johansen(day[rows], status[rows]).at(horizon)` cell by cell: on whole days, each
    cell's exits and events are counted by day (days beyond the horizon in one last column, where they only count
    as at risk), and a day with no event multiplies the survival by exactly 1 and adds exactly 0. Days that are not
    whole numbers fall back to the estimator, cell by cell."""
    if not np.array_equal(day, np.floor(day)) or day.size == 0:
        return [
            aalen_johansen(day[cell == c], status[cell == c]).at(horizon) if (cell == c).any() else 0.0
            for c in range(cells)
        ]
    width = int(horizon) + 2
    column = np.minimum(day, horizon + 1).astype(np.int64)
    index = cell * width + column
    size = cells * width
    exits = np.bincount(index, minlength=size).reshape(cells, width).astype(float)
    within = column <= horizon
    ones = np.bincount(index[within & (status == 1)], minlength=size).reshape(cells, width).astype(float)
    both = np.bincount(index[within & (status != 0)], minlength=size).reshape(cells, width).astype(float)
    at_risk = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(both > 0, 1 - both / at_risk, 1.0)
        jump = np.where(ones > 0, ones / at_risk, 0.0)
    before = np.cumprod(np.hstack([np.ones((cells, 1)), step[:, :-1]]), axis=1)
    return [float(v) for v in (before * jump)[:, : int(horizon) + 1].sum(axis=1)]


def adjusted_cox(ep: Episodes, x: np.ndarray, names: list[str], spec: Spec) -> dict:
    """Cause-specific Cox model of a repeat after support ends: duration band plus the confounders, robust errors by
    person; the proportional-hazards test beside it."""
    ended, day, status = after_end(ep)
    bands = band_of(ep.support_days, spec)[ended]
    labels = spec.band_labels()
    band_x = np.column_stack([(bands == b).astype(float) for b in range(1, len(labels))])
    band_names = [f"support {label}" for label in labels[1:]]
    xx = np.hstack([band_x, x[ended]])
    all_names = band_names + names
    event = (status[ended] == 1).astype(int)
    cluster = cox.cluster_for(ep.person[ended])
    fitter = cox.cox_fit(day[ended], event, xx, all_names, cluster)
    coefs = cox.coefficients(fitter)
    check = cox.ph_check(
        day[ended], event, xx, all_names, None, max_rows=spec.ph_check_rows, seed=spec.seed, covariates=None
    )
    return {
        "model": "cause-specific Cox proportional hazards, exact Efron partial likelihood (lifelines when errors "
        "are clustered), days as whole numbers, competing events and the extract date censor",
        "errors": "robust, clustered by person"
        if cluster is not None
        else f"model-based (one episode per person, or more than {cox.ROBUST_MAX_ROWS:,} rows)",
        "time_origin": "the end of support",
        "reference": f"support {labels[0]}",
        "episodes": int(ended.sum()),
        "events": int(event.sum()),
        "bands": [c for c in coefs if c["covariate"] in band_names],
        "confounders": [c for c in coefs if c["covariate"] not in band_names],
        "proportional_hazards": check,
    }


def target_trial(ep: Episodes, x: np.ndarray, spec: Spec) -> dict:
    boot, _, arms = trial.emulate(ep, x, spec)
    short, long = (f"{w} weeks" for w in (spec.short_weeks, spec.long_weeks))
    rd = boot.replicates[long] - boot.replicates[short]
    rr = boot.replicates[long] / boot.replicates[short]
    estimate_rd = boot.estimate[long] - boot.estimate[short]
    # Clones that followed their strategy to its end, or met the outcome or a competing event before deviating.
    compliant = {arm.name: int(((arm.exit_week > arm.last) | (arm.status > 0)).sum()) for arm in arms}
    return {
        "design": {
            "eligibility": "every episode of support in the data",
            "time_zero": "the start of support, under both strategies",
            "strategies": {
                short: f"support ends during week {spec.short_weeks} (within {spec.grace_weeks} week(s)), unless a "
                "repeat referral or a competing event comes first",
                long: f"support ends during week {spec.long_weeks} (within {spec.grace_weeks} week(s)), unless a "
                "repeat referral or a competing event comes first",
            },
            "outcome": f"a new referral of the same woman within {spec.horizon_weeks} weeks of the start of "
            "support, during support or after it",
            "competing_events": "moved out of area, died, record erased (cumulative incidence, Aalen-Johansen)",
            "censoring": "the day before the extract date; and each clone when it deviates from its strategy, judged "
            "by the week: at the start of the week in which support ends too early, and at the start of the "
            "strategy's week (with its grace) if support is still running at the end of it",
            "weights": "inverse probability of staying uncensored, from a pooled logistic model of 'support ends "
            "this week' given the week and the confounders (" + ", ".join(spec.confounders) + ")",
            "interval": f"95% percentile bootstrap over people ({spec.replicates} replicates); each replicate "
            "refits the weight model by one Newton step",
        },
        "risk": {
            short: {"estimate": boot.estimate[short], "ci": _percentile_interval(boot.replicates[short])},
            long: {"estimate": boot.estimate[long], "ci": _percentile_interval(boot.replicates[long])},
        },
        "risk_difference": {"estimate": estimate_rd, "ci": _percentile_interval(rd)},
        "risk_ratio": {"estimate": boot.estimate[long] / boot.estimate[short], "ci": _percentile_interval(rr)},
        "weights": {arm.name: _weight_summary(arm) for arm in arms},
        "followed_their_strategy": compliant,
        "assumptions": [
            "No unmeasured confounding: whether support ends in a given week depends only on the week and the "
            "recorded confounders, not on anything else that also predicts a repeat referral.",
            "Positivity: women of every profile sometimes end support at 12 weeks and sometimes at 26 weeks. "
            "Very large weights below would warn that some profiles rarely do.",
            "The weight model is right: a logistic model of ending support with a level per week and the "
            "confounders' effects constant over the weeks.",
            "Repeat referrals are recorded and linked to the same woman (missed links look like fewer repeats).",
            "Women censored at the extract date would have had the same risk as those still followed.",
        ],
    }


def _weight_summary(arm: trial.Arm) -> dict:
    """The weights of the clones that followed the strategy to its end (the ones that carry the estimate)."""
    weights = arm.final[arm.exit_week > arm.last]
    if weights.size == 0:
        return {"clones": 0}
    q = np.percentile(weights, [1, 50, 99])
    return {
        "clones": int(weights.size),
        "mean": float(weights.mean()),
        "p1": float(q[0]),
        "median": float(q[1]),
        "p99": float(q[2]),
        "max": float(weights.max()),
        "effective_clones": float(weights.sum() ** 2 / (weights**2).sum()),
    }


def landmark(ep: Episodes, x: np.ndarray, names: list[str], spec: Spec) -> dict:
    """At week 12: among episodes with no repeat, competing event or censoring by then, compare those still in
    support with those whose support had ended, by a Cox model of a repeat before the horizon, adjusted."""
    mark = WEEK * spec.short_weeks
    day, status = trial.outcome(ep)
    eligible = day > mark
    still = (ep.support_days > mark) | ep.open
    horizon = WEEK * spec.horizon_weeks
    follow = np.minimum(day, horizon)[eligible] - mark
    event = ((status == 1) & (day < horizon))[eligible].astype(int)
    xx = np.hstack([still[eligible, None].astype(float), x[eligible]])
    cluster = cox.cluster_for(ep.person[eligible])
    fitter = cox.cox_fit(follow, event, xx, ["still in support at the landmark", *names], cluster)
    row = next(c for c in cox.coefficients(fitter) if c["covariate"] == "still in support at the landmark")
    return {
        "landmark_week": spec.short_weeks,
        "episodes": int(eligible.sum()),
        "still_in_support": int(still[eligible].sum()),
        "events": int(event.sum()),
        "hazard_ratio": {"estimate": row["hazard_ratio"], "ci": (row["low"], row["high"])},
        "p": row["p"],
        "meaning": f"Among women with no repeat referral by week {spec.short_weeks}, the hazard of a repeat from "
        f"then to week {spec.horizon_weeks} for those still in support at week {spec.short_weeks}, against those "
        "whose support had ended, adjusted for the confounders. Simpler than the trial: it compares any longer "
        "support with none, and ignores what happens after the landmark.",
    }


def naive(ep: Episodes, spec: Spec) -> dict:
    """Unadjusted: the 52-week risk of a repeat after support ends, episodes over `long_weeks` against up to
    `short_weeks`, with a bootstrap interval over people. The comparison a table of closed cases invites."""
    ended, day, status = after_end(ep)
    short_rows = ended & (ep.support_days <= WEEK * spec.short_weeks)
    long_rows = ended & (ep.support_days > WEEK * spec.long_weeks)
    arms = [
        trial.plain_arm(name, day[rows], status[rows], spec.horizon_weeks)
        for name, rows in (("short", short_rows), ("long", long_rows))
    ]
    boot = trial.weekly_risks(
        arms, [ep.person[short_rows], ep.person[long_rows]], spec.horizon_weeks, spec.replicates, spec.seed + 1
    )
    rd = boot.replicates["long"] - boot.replicates["short"]
    estimate = boot.estimate["long"] - boot.estimate["short"]
    return {
        "comparison": f"episodes longer than {spec.long_weeks} weeks against up to {spec.short_weeks} weeks",
        "time_origin": "the end of support",
        "episodes": {"short": int(short_rows.sum()), "long": int(long_rows.sum())},
        "risk": {"short": boot.estimate["short"], "long": boot.estimate["long"]},
        "risk_difference": {"estimate": estimate, "ci": _percentile_interval(rd)},
        "risk_ratio": {
            "estimate": boot.estimate["long"] / boot.estimate["short"],
            "ci": _percentile_interval(boot.replicates["long"] / boot.replicates["short"]),
        },
    }


def money(trial_result: dict, spec: Spec) -> dict:
    """Repeats avoided per 1,000 women supported for `long_weeks` rather than `short_weeks`, the extra support-weeks
    that costs, and the cost per repeat avoided."""
    rd = trial_result["risk_difference"]
    avoided = -1000 * rd["estimate"]
    avoided_ci = sorted((-1000 * rd["ci"][1], -1000 * rd["ci"][0]))
    extra_weeks = 1000 * (spec.long_weeks - spec.short_weeks)
    cost = extra_weeks * spec.cost_per_support_week

    def per_repeat(n: float) -> float | None:
        return cost / n if n > 0 else None

    return {
        "repeats_avoided_per_1000": avoided,
        "repeats_avoided_ci": avoided_ci,
        "extra_support_weeks_per_1000": extra_weeks,
        "cost_per_support_week": spec.cost_per_support_week,
        "currency": spec.currency,
        "extra_cost_per_1000": cost,
        "cost_per_repeat_avoided": per_repeat(avoided),
        # the interval of the cost follows from the interval of repeats avoided; unbounded if it reaches zero
        "cost_per_repeat_avoided_ci": [per_repeat(avoided_ci[1]), per_repeat(avoided_ci[0])],
        "note": "Extra support-weeks assume every woman stays the full extra weeks: an upper bound on cost, since "
        "some leave early, move away or are referred again during support.",
    }


def analyse(ep: Episodes, spec: Spec) -> dict:
    """Every part, timed; the document `write_outputs` turns into the three files.

    BLAS runs on one thread: its products here are long and thin (a million rows by a few dozen columns) and bound
    by memory, and on a shared machine a second BLAS thread mostly spins waiting for a core. Measured on 1M
    episodes: the Cox fit's Gram matrix took 2.2 s with two threads at load 9 on 2 cores, 0.3 s with one."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyse(ep, spec)


def _analyse(ep: Episodes, spec: Spec) -> dict:
    if len(ep) < 2 * spec.threshold:
        raise DurationError(f"Only {len(ep)} episodes: too few to analyse (at least {2 * spec.threshold}).")
    seconds, cpu_seconds = {}, {}
    tick = time.perf_counter()
    x, names = design(ep.covariates, spec)
    parts = {}
    for name, work in (
        ("describe", lambda: describe(ep, spec)),
        ("cox", lambda: adjusted_cox(ep, x, names, spec)),
        ("trial", lambda: target_trial(ep, x, spec)),
        ("landmark", lambda: landmark(ep, x, names, spec)),
        ("naive", lambda: naive(ep, spec)),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        parts[name] = work()
        seconds[name] = round(time.perf_counter() - start, 3)
        cpu_seconds[name] = round(time.process_time() - cpu, 3)  # wall time on a shared machine is mostly waiting
    parts["money"] = money(parts["trial"], spec)
    seconds["total"] = round(time.perf_counter() - tick, 3)
    document = {
        "schema": "carehub.duration.results/1",
        "question": spec.title,
        "data": {
            "episodes": len(ep),
            "people": int(np.unique(ep.person).size),
            "extract_date": ep.extract_date.isoformat(),
            "still_in_support": int(ep.open.sum()),
        },
        "settings": {
            "short_weeks": spec.short_weeks,
            "long_weeks": spec.long_weeks,
            "grace_weeks": spec.grace_weeks,
            "horizon_weeks": spec.horizon_weeks,
            "bands": list(spec.bands),
            "confounders": list(spec.confounders),
            "replicates": spec.replicates,
            "seed": spec.seed,
            "suppression_threshold": spec.threshold,
        },
        **parts,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
    }
    document["findings"] = findings(document, spec)
    return document
