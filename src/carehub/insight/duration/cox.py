"""Cox proportional hazards with the confounders, and the proportional-hazards check.

The fit is the exact Efron partial likelihood, maximised by Newton's method in numpy (`efron_fit`): on a million
episodes a lifelines fit costs tens of seconds, most of it pandas and per-iteration bookkeeping, while the
likelihood itself needs only sums over risk sets, which are reverse cumulative sums over the rows sorted once by
time. Tests hold it to lifelines and statsmodels' PHReg (both with Efron's ties) to 1e-6 on the Rossi data and on a
simulated extract. Durations are whole days (the grain of the data), so there are many ties, handled exactly.

lifelines is still used where it is the right tool: robust errors clustered by person (a woman with several
episodes, on at most ROBUST_MAX_ROWS rows) and the Schoenfeld-residual test of proportional hazards (on a sample).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test
from scipy import stats

from .spec import DurationError

ROBUST_MAX_ROWS = 200_000  # lifelines' clustered errors take minutes beyond this; see cluster_for()


@dataclass
class CoxFit:
    """A fitted Cox model: coefficients, their covariance (inverse observed information), the log partial
    likelihood at the maximum, and what was fitted."""

    names: list[str]
    params: np.ndarray
    variance: np.ndarray
    log_likelihood: float
    iterations: int
    converged: bool
    rows: int
    events: int

    @property
    def standard_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.variance))

    @property
    def summary(self) -> pd.DataFrame:
        """The columns of lifelines' summary that `coefficients` reads, under the same names."""
        se = self.standard_errors
        q = stats.norm.ppf(0.975)
        z = self.params / se
        return pd.DataFrame(
            {
                "coef": self.params,
                "exp(coef)": np.exp(self.params),
                "se(coef)": se,
                "exp(coef) lower 95%": np.exp(self.params - q * se),
                "exp(coef) upper 95%": np.exp(self.params + q * se),
                "z": z,
                "p": 2 * stats.norm.sf(np.abs(z)),
            },
            index=pd.Index(self.names, name="covariate"),
        )


def efron_fit(
    duration: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    names: list[str],
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 50,
) -> CoxFit:
    """Maximum partial likelihood with Efron's handling of tied times, by Newton's method with step halving.

    With the rows sorted by time and grouped by distinct time j, the risk-set sums S0_j = sum exp(eta) and
    S1_j = sum exp(eta) x over rows with time >= t_j are reverse cumulative sums of per-time sums; the d_j tied events
    at t_j contribute, for l = 0..d_j - 1, the Efron denominators S0_j - (l / d_j) A0_j (A: the same sums over the
    tied events). The information matrix needs the risk-set sums of exp(eta) x x', never formed per time: summed
    over times with coefficients c_j, they are one weighted Gram matrix X' diag(v) X, v_i = exp(eta_i) times the
    sum of c_j over the times at which row i is at risk. So a Newton step costs a few passes over the rows and one
    n-by-p-by-p product. Covariates are centred first (the partial likelihood does not change; exp stays finite)."""
    duration = np.asarray(duration, dtype=float)
    event = np.asarray(event).astype(bool)
    x = np.asarray(x, dtype=float)
    order = np.argsort(duration, kind="stable")
    is_event = event[order]
    xc = x[order] - x.mean(axis=0)
    _, start, group = np.unique(duration[order], return_index=True, return_inverse=True)
    n_times = start.size
    tied = np.bincount(group, is_event, minlength=n_times).astype(np.int64)
    times_with_events = np.flatnonzero(tied)
    per_time = tied[times_with_events]
    at = np.repeat(times_with_events, per_time)  # one entry per event: its time's index, l = 0..d_j - 1 in turn
    share = (np.arange(at.size) - np.repeat(np.cumsum(per_time) - per_time, per_time)) / tied[at]  # l / d_j
    x_events = xc[is_event].sum(axis=0)

    def evaluate(beta: np.ndarray):
        eta = xc @ beta
        eta -= eta.max()  # a common shift cancels in every ratio and in the log-likelihood
        w = np.exp(eta)
        w_event = w * is_event
        s0 = np.cumsum(np.bincount(group, w, minlength=n_times)[::-1])[::-1]
        s1 = np.cumsum(np.add.reduceat(w[:, None] * xc, start, axis=0)[::-1], axis=0)[::-1]
        a0 = np.bincount(group, w_event, minlength=n_times)
        a1 = np.add.reduceat(w_event[:, None] * xc, start, axis=0)
        denominator = s0[at] - share * a0[at]
        mean = (s1[at] - share[:, None] * a1[at]) / denominator[:, None]
        loglik = float(eta[is_event].sum() - np.log(denominator).sum())
        return loglik, x_events - mean.sum(axis=0), w, denominator, mean

    def information(w, denominator, mean) -> np.ndarray:
        risk = np.cumsum(np.bincount(at, 1 / denominator, minlength=n_times))  # sum of c_j over t_j <= t_i
        tie = np.bincount(at, share / denominator, minlength=n_times)
        v = w * (risk[group] - is_event * tie[group])
        return (xc * v[:, None]).T @ xc - mean.T @ mean

    beta = np.zeros(x.shape[1])
    loglik, gradient, w, denominator, mean = evaluate(beta)
    converged, iteration = False, 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported)
        try:
            step = np.linalg.solve(information(w, denominator, mean), gradient)
        except np.linalg.LinAlgError:
            raise DurationError(
                "The Cox model cannot be fitted: its information matrix is singular (a covariate with no variation "
                "among the rows, or no events)."
            ) from None
        factor = 1.0
        while True:
            trial = evaluate(beta + factor * step)
            if trial[0] >= loglik - 1e-12 * abs(loglik) or factor < 1e-4:
                break
            factor /= 2
        beta = beta + factor * step
        loglik, gradient, w, denominator, mean = trial
        if np.max(np.abs(factor * step)) < tolerance:
            converged = True
            break
    variance = np.linalg.inv(information(w, denominator, mean))
    return CoxFit(list(names), beta, variance, loglik, iteration, converged, int(x.shape[0]), int(is_event.sum()))


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


def lifelines_fit(
    duration: np.ndarray, event: np.ndarray, x: np.ndarray, names: list[str], cluster: np.ndarray | None = None
) -> tuple[CoxPHFitter, pd.DataFrame]:
    """lifelines' fit and its frame (for robust errors and the proportional-hazards test); `duration` in days
    (rounded to whole days), `event` 0/1."""
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


def cox_fit(
    duration: np.ndarray, event: np.ndarray, x: np.ndarray, names: list[str], cluster: np.ndarray | None = None
) -> CoxFit | CoxPHFitter:
    """The Cox model of `event` (0/1) at `duration` (days, rounded to whole days): the exact Efron fit, or
    lifelines' with robust errors when `cluster` (one code per row: the person) is given. Either has `summary`."""
    if cluster is not None:
        return lifelines_fit(duration, event, x, names, cluster)[0]
    return efron_fit(np.round(duration), event, x, names)


def coefficients(fitter: CoxFit | CoxPHFitter) -> list[dict]:
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
    fitter, frame = lifelines_fit(duration[rows], event[rows], x[rows], names, None)
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
