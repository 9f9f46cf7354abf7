"""Cox proportional hazards with the confounders (lifelines), and the proportional-hazards check.

Durations go to lifelines in whole days: the partial likelihood depends only on the order of times, and integer
times with many ties make the fit several times faster on large data (TOOLING.md) with Efron's handling of ties.
Errors are robust, clustered by person, because one woman can have several episodes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test

ROBUST_MAX_ROWS = 200_000  # lifelines' clustered errors take minutes beyond this; see cluster_for()


class _CoxPHFitter(CoxPHFitter):
    """lifelines' Cox fitter, keeping a lighter record of its training data.

    lifelines keeps a "central" row of the training data (median or mode of every column) for plotting partial
    effects, which nothing here does, and finds it with pandas' describe: every quantile of every column, a third of
    a fit's time on a million rows. The median alone, by numpy, is the same row (every column here is numeric)."""

    def _compute_central_values_of_raw_training_data(self, df, strata=None, name="baseline"):
        if strata is not None or df.size == 0:
            return super()._compute_central_values_of_raw_training_data(df, strata, name)
        medians = np.median(df.to_numpy(dtype=float), axis=0)
        return pd.DataFrame([medians], index=[name], columns=df.columns).astype(df.dtypes)


def cluster_for(person: np.ndarray) -> np.ndarray | None:
    """Cluster by person only where it matters (some woman has several episodes) and lifelines can afford it."""
    if person.size > ROBUST_MAX_ROWS or np.unique(person).size == person.size:
        return None
    return person


def cox_fit(
    duration: np.ndarray, event: np.ndarray, x: np.ndarray, names: list[str], cluster: np.ndarray | None = None
) -> tuple[CoxPHFitter, pd.DataFrame]:
    """Fit and return the fitter and its frame; `duration` in days (rounded to whole days), `event` 0/1."""
    frame = pd.DataFrame(x, columns=names)
    frame["_days"] = np.round(duration).astype(np.int64)
    frame["_event"] = np.asarray(event, dtype=np.int64)
    if cluster is not None:
        frame["_person"] = cluster
    fitter = _CoxPHFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines warns about robust errors it is asked for
        fitter.fit(frame, "_days", "_event", cluster_col="_person" if cluster is not None else None)
    return fitter, frame


def coefficients(fitter: CoxPHFitter) -> list[dict]:
    """One row per covariate: coefficient, hazard ratio with its 95% interval, p-value."""
    summary = fitter.summary
    return [
        {
            "covariate": str(name),
            "coef": float(row["coef"]),
            "hazard_ratio": float(row["exp(coef)"]),
            "low": float(row["exp(coef) lower 95%"]),
            "high": float(row["exp(coef) upper 95%"]),
            "p": float(row["p"]),
        }
        for name, row in summary.iterrows()
    ]


def ph_check(
    duration, event, x, names, cluster, *, max_rows: int, seed: int, covariates: list[str] | None = None
) -> dict:
    """Schoenfeld-residual test of proportional hazards (rank time), on at most `max_rows` rows drawn at random.

    Reported, never used to change the model silently: a small p-value says that covariate's effect changes over
    follow-up, so its hazard ratio is an average over time."""
    n = len(duration)
    rows = np.arange(n)
    if n > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))
    fitter, frame = cox_fit(duration[rows], event[rows], x[rows], names, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = proportional_hazard_test(fitter, frame, time_transform="rank")
    table = result.summary
    tests = [
        {"covariate": str(name), "statistic": float(row["test_statistic"]), "p": float(row["p"])}
        for name, row in table.iterrows()
        if covariates is None or str(name) in covariates
    ]
    failing = [t["covariate"] for t in tests if t["p"] < 0.01]
    return {"rows": int(rows.size), "time_transform": "rank", "tests": tests, "failing_at_1_percent": failing}
