"""The emulated target trial "commission 26 weeks" against "commission 12 weeks", by clone, censor and weight.

The trial (Hernan and Robins, "Causal Inference: What If"; Maringe et al. 2020, Int J Epidemiol):
- eligibility: every episode of support in the data; time zero: the start of support, the same under both strategies
  (measuring from the end of support would hand longer episodes their support weeks free of repeats: immortal time);
- strategies: support ends during week W (W = 12 or 26, within `grace_weeks`), unless a repeat referral or a
  competing event (moved away, died, record erased) comes first;
- outcome: a new referral of the same woman within 52 weeks of time zero, during support or after; competing events
  compete (Aalen-Johansen), the extract date censors;
- clones: each episode is copied into both strategies and censored when it deviates from one, judged by the week:
  support ending in a week before week W censors at the start of that week; support still running at the end of
  the grace period censors at the start of the period (`clone_arm` says why);
- weights: that censoring depends on the confounders (women at higher risk are kept longer), so each clone is
  weighted by the inverse probability of having stayed uncensored, from one pooled logistic model of "support ends
  this week" given the week and the confounders, fitted on person-weeks;
- estimate: the weighted cumulative incidence at 52 weeks under each strategy, on a weekly grid (support is
  commissioned in weeks); their difference and ratio; 95% intervals by bootstrap over people.

Speed: the bootstrap never refits anything per replicate. Every number the estimator needs is a weighted sum over
people (at risk per week, repeats per week, competing events per week), so a replicate is one vector of how many
times each person was drawn, and all replicates together are one matrix product with a small per-person matrix
(dense for the weeks whose weights change, sparse for the rest). The censoring weights are held at their fit on the
full data, which is stated in the output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .data import Episodes
from .spec import Spec

WEEK = 7


@dataclass
class Arm:
    """Clones (or episodes) of one strategy or group: weekly exits and statuses, and the weights of their weeks."""

    name: str
    exit_week: np.ndarray  # 0..horizon-1, or horizon when followed to the end without an event
    exit_day: np.ndarray  # the same exit in whole days: 0..7*horizon-1, or 7*horizon
    status: np.ndarray  # 0 censored, 1 repeat referral, 2 competing event
    early: np.ndarray  # (n, L): weight in week k < L while at risk, 0 once out
    final: np.ndarray  # weight in the weeks from L on
    event_weight: np.ndarray  # weight in the exit week, for its event
    strategy_weeks: int = 0  # for a cloned arm: the strategy's week W; the last week before it; the grace weeks
    last: int = -1
    grace: int = 0

    @property
    def size(self) -> int:
        return self.exit_week.size


def outcome(ep: Episodes) -> tuple[np.ndarray, np.ndarray]:
    """Day and kind of the first of repeat referral (1), competing event (2) and the extract date (0)."""
    day = np.minimum(np.minimum(ep.repeat_day, ep.competing_day), ep.admin_day)
    status = np.where(
        ep.repeat_day <= np.minimum(ep.competing_day, ep.admin_day - 1e-9),
        1,
        np.where(ep.competing_day < ep.admin_day, 2, 0),
    )
    return day, status


def support_end_day(ep: Episodes) -> np.ndarray:
    """The day support was ended by the service or the woman; inf if it ran on, or ended with a competing event."""
    by_support = ~ep.open & (ep.support_days < ep.competing_day)
    return np.where(by_support, ep.support_days, np.inf)


def person_weeks(ep: Episodes, x: np.ndarray, weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows (episode index, week, ended this week) for each week an episode starts in support with no repeat
    referral yet, up to `weeks`: the data of the censoring model.

    The end of support is recorded whether or not a repeat referral came first, so the week of a repeat keeps its
    row with the true answer (dropping it would make endings look rarer for exactly the women most often referred
    again, and bias the weights). A week cut short by a competing event or the extract date, with support still
    running, is left out: how it would have ended is unknown."""
    stop = np.minimum(ep.competing_day, ep.admin_day)
    first = np.minimum(ep.repeat_day, stop)
    end = support_end_day(ep)
    end_week = np.floor(end / WEEK)
    last = np.minimum(np.minimum(end_week, np.floor(first / WEEK)), weeks - 1)
    count = np.maximum(last + 1, 0).astype(np.int64)
    rows = np.repeat(np.arange(ep.person.size), count)
    starts = np.cumsum(count) - count
    week = np.arange(count.sum()) - np.repeat(starts, count)
    ended = week == end_week[rows]
    cut_short = ~ended & (WEEK * (week + 1) > stop[rows])
    return rows[~cut_short], week[~cut_short], ended[~cut_short]


@dataclass
class WeightModel:
    """The fitted censoring model, and what a bootstrap replicate needs to refit it in one Newton step."""

    alpha: np.ndarray  # a level per week
    beta: np.ndarray  # slopes on the confounders (unscaled)
    hazard: np.ndarray  # (episodes, weeks): P(support ends in week k | in support at its start)
    fit_rows: np.ndarray  # episodes the model was fitted on
    x_fit: np.ndarray  # their scaled confounders
    scale: np.ndarray
    residual: np.ndarray  # (fit episodes, weeks): y - p summed over each episode's person-weeks, by week
    information: np.ndarray  # (fit episodes, weeks): p (1 - p) likewise

    def one_step(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model refitted to resamples (`counts`: replicates x fitted episodes) by one Newton step from the full
        fit with the full fit's information matrix: asymptotically the same as refitting, and for all replicates
        at once it is two matrix products. Returns (week levels, slopes), one row per replicate."""
        k, x = self.alpha.size, self.x_fit
        theta = np.concatenate([self.alpha, self.beta * self.scale])
        ridge = np.concatenate([np.full(k, RIDGE_WEEKS), np.full(x.shape[1], RIDGE_SLOPES)])
        gradient = np.hstack([counts @ self.residual, (counts * self.residual.sum(axis=1)) @ x]) - ridge * theta
        info = np.empty((theta.size, theta.size))
        info[:k, :k] = np.diag(self.information.sum(axis=0))
        info[:k, k:] = self.information.T @ x
        info[k:, :k] = info[:k, k:].T
        info[k:, k:] = (x * self.information.sum(axis=1)[:, None]).T @ x
        info[np.diag_indices(theta.size)] += ridge
        steps = theta + np.linalg.solve(info, gradient.T).T
        return steps[:, :k], steps[:, k:] / self.scale


RIDGE_WEEKS, RIDGE_SLOPES = 1e-2, 1e-8


def fit_censoring_model(ep: Episodes, x: np.ndarray, spec: Spec, rng: np.random.Generator) -> WeightModel:
    """P(support ends in week k | in support at its start, confounders), for every episode and week k < L_max.

    One pooled logistic regression with an indicator per week (support ends bunch where contracts end) and the
    confounders; fitted on at most `weight_model_episodes` episodes (the weights need the model's shape, not every
    row), predicted for all."""
    weeks = spec.long_weeks + spec.grace_weeks
    chosen = np.arange(ep.person.size)
    if chosen.size > spec.weight_model_episodes:
        chosen = np.sort(rng.choice(chosen.size, spec.weight_model_episodes, replace=False))
    sub = _subset(ep, chosen)
    rows, week, ended = person_weeks(sub, x[chosen], weeks)
    scale = np.maximum(x.std(axis=0), 1e-12)  # scaled for the solver's sake; the slopes are scaled back
    x_fit = x[chosen] / scale
    alpha, slope = logistic_fit(rows, week, x_fit, ended.astype(float), weeks)
    p = 1 / (1 + np.exp(-(alpha[week] + (x_fit @ slope)[rows])))
    cells = rows * weeks + week
    size = chosen.size * weeks
    residual = np.bincount(cells, ended - p, minlength=size).reshape(chosen.size, weeks)
    information = np.bincount(cells, p * (1 - p), minlength=size).reshape(chosen.size, weeks)
    beta = slope / scale
    return WeightModel(alpha, beta, hazards(x, alpha, beta), chosen, x_fit, scale, residual, information)


def hazards(x: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    linear = (x @ beta).astype(np.float32)
    return 1 / (1 + np.exp(-(linear[:, None] + alpha[None, :].astype(np.float32))))


def logistic_fit(rows: np.ndarray, week: np.ndarray, x: np.ndarray, y: np.ndarray, weeks: int, *, iterations=100):
    """Maximum-likelihood logistic regression of `y` (one value per person-week) on a level per week plus the
    person's covariates `x[rows]`, by Newton's method.

    Each person-week's covariates are its episode's, so every sum over person-weeks is gathered per episode (or per
    week) first: a step costs a few bincounts over the person-weeks and small products over episodes, never a wide
    design. A small ridge on the week levels keeps a week in which no support ever ended finite (a tiny probability,
    not an infinite coefficient); it is negligible in any week with data. Returns (week levels, slopes).
    """
    k, m, n = weeks, x.shape[1], x.shape[0]
    alpha, beta = np.zeros(k), np.zeros(m)
    ridge = np.concatenate([np.full(k, RIDGE_WEEKS), np.full(m, RIDGE_SLOPES)])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(alpha[week] + (x @ beta)[rows])))
        w, r = p * (1 - p), y - p
        gradient = np.concatenate([np.bincount(week, r, minlength=k), x.T @ np.bincount(rows, r, minlength=n)])
        gradient -= ridge * np.concatenate([alpha, beta])
        by_week = sp.csr_matrix((w, (week, rows)), shape=(k, n))  # duplicates are summed
        information = np.empty((k + m, k + m))
        information[:k, :k] = np.diag(np.bincount(week, w, minlength=k))
        information[:k, k:] = by_week @ x
        information[k:, :k] = information[:k, k:].T
        information[k:, k:] = (x * np.bincount(rows, w, minlength=n)[:, None]).T @ x
        information[np.diag_indices(k + m)] += ridge
        step = np.linalg.solve(information, gradient)
        alpha, beta = alpha + step[:k], beta + step[k:]
        if np.max(np.abs(step)) < 1e-9:
            break
    return alpha, beta


def _subset(ep: Episodes, index: np.ndarray) -> Episodes:
    return Episodes(
        person=ep.person[index],
        support_days=ep.support_days[index],
        open=ep.open[index],
        repeat_day=ep.repeat_day[index],
        repeat_after_end=ep.repeat_after_end[index],
        competing_day=ep.competing_day[index],
        competing_kind=ep.competing_kind[index],
        admin_day=ep.admin_day[index],
        covariates=ep.covariates.iloc[index].reset_index(drop=True),
        extract_date=ep.extract_date,
    )


def clone_arm(ep: Episodes, hazard: np.ndarray, weeks: int, spec: Spec) -> Arm:
    """The clones of strategy "support ends during week `weeks`" (or within its grace period), censored on deviation,
    with their weights.

    Deviation is judged by the week, as the weights are (the model is of "support ends this week"):
    - support that ends early, in week k before the strategy's week, censors the clone at the start of week k, so
      week k's risk set holds only women who stay in support all week, weighted by the inverse probability of doing
      so (1 / S(k + 1)), and every repeat counted before the strategy's week happened during support;
    - support still running at the end of the grace period censors the clone at the start of the period, not at
      its end: in those weeks she was in support throughout, which the strategy does not do (it ends support in
      them; after support the hazard of a repeat is not what it is during support). Kept to the period's end, such
      women made the risk set of the strategy's week a mixture of women who end support in it and women who stay,
      and biased the strategy's risk (toward the risk of staying, so toward no effect: about 0.15 points of a
      6-point difference at a million women, and several times that where support matters more);
    - so from the start of the period the risk set holds the women whose support ends within it, each weighted by
      the inverse probability of that, 1 / (S(W) - S(W + grace)): the strategy with its natural timing within the
      period (a uniform day within week W, with one grace week, as the simulated truth has it).
    """
    horizon, grace = spec.horizon_weeks, spec.grace_weeks
    day, status = outcome(ep)
    # Follow-up ends before the extract date: a repeat that day is not counted (`outcome`), so she is not at risk
    # that day either (counted at risk on a day whose events are not, she would dilute that day's hazard).
    day = np.where((status == 0) & (day >= ep.admin_day), ep.admin_day - 0.5, day)
    end = support_end_day(ep)
    window_start, window_end = WEEK * weeks, WEEK * (weeks + grace)
    early_end = WEEK * np.floor(end / WEEK) - 0.5
    deviation = np.where(end < window_start, early_end, np.where(end < window_end, np.inf, window_start - 0.5))
    followed = day <= deviation
    exit_day = np.minimum(np.minimum(day, deviation), WEEK * horizon)
    status = np.where(followed & (day < WEEK * horizon), status, 0)
    exit_day = np.minimum(np.floor(exit_day), WEEK * horizon).astype(np.int64)  # -1: never entered (ended in week 0)
    exit_week = exit_day // WEEK
    last = weeks - 1  # the last week with a weight of its own; from the strategy's week on, the period's weight
    stay = np.cumprod(np.hstack([np.ones((len(ep), 1), np.float32), 1 - hazard[:, : weeks + grace]]), axis=1)
    early = (1 / stay[:, 1 : weeks + 1]) * (exit_week[:, None] >= np.arange(weeks)[None, :])  # (n, W): 1 / S(k + 1)
    final = np.where(exit_week > last, 1 / (stay[:, weeks] - stay[:, weeks + grace]), 0.0)
    event_weight = np.where(exit_week <= last, early[np.arange(len(ep)), np.clip(exit_week, 0, last)], final)
    event_weight = np.where(exit_day >= 0, event_weight, 0.0)
    exit_day = np.maximum(exit_day, 0)  # a clone that never entered now weighs nothing anywhere
    return Arm(
        f"{weeks} weeks", exit_week, exit_day, status, early.astype(np.float32), final, event_weight, weeks, last, grace
    )


def plain_arm(name: str, exit_day: np.ndarray, status: np.ndarray, horizon: int) -> Arm:
    """Episodes followed without artificial censoring (weights 1): the naive comparison's groups."""
    status = np.where(exit_day < WEEK * horizon, status, 0)
    exit_day = np.minimum(np.floor(exit_day), WEEK * horizon).astype(np.int64)
    ones = np.ones(exit_day.size)
    return Arm(name, exit_day // WEEK, exit_day, status, np.zeros((exit_day.size, 0), np.float32), ones, ones)


@dataclass
class Bootstrap:
    """The risk at the horizon in each arm: the estimate and one value per bootstrap replicate."""

    estimate: dict[str, float]
    replicates: dict[str, np.ndarray]


def weekly_risks(
    arms: list[Arm],
    person: list[np.ndarray],
    horizon: int,
    replicates: int,
    seed: int,
    correction: Callable[[np.ndarray], np.ndarray] | None = None,
) -> Bootstrap:
    """Weighted Aalen-Johansen risk of a repeat by the horizon, per arm, for the data and `replicates` resamples of
    people (each person drawn with all her episodes). `person[i]` gives the person code of each row of arm i."""
    n_people = 1 + max(int(p.max()) for p in person if p.size)
    dense_blocks, sparse_blocks, layout = [], [], []
    dense_at, sparse_at = 0, 0
    for arm, who in zip(arms, person, strict=True):
        to_person = sp.csr_matrix((np.ones(arm.size), (who, np.arange(arm.size))), shape=(n_people, arm.size))
        dense_blocks.append(to_person @ arm.early.astype(np.float64))
        cols = WEEK * horizon + 1
        rows = (np.arange(arm.size), arm.exit_day)
        pieces = [
            sp.csr_matrix((arm.event_weight, rows), shape=(arm.size, cols)),  # every exit, with its weight then
            sp.csr_matrix((arm.event_weight * (arm.status == 1), rows), shape=(arm.size, cols)),
            sp.csr_matrix((arm.event_weight * (arm.status == 2), rows), shape=(arm.size, cols)),
        ]
        sparse_blocks.append(to_person @ sp.hstack(pieces, format="csr"))
        layout.append((dense_at, arm.early.shape[1], sparse_at))
        dense_at += arm.early.shape[1]
        sparse_at += 3 * (WEEK * horizon + 1)
    dense = np.hstack(dense_blocks).astype(np.float32)
    sparse = sp.hstack(sparse_blocks, format="csr").astype(np.float32).T.tocsr()
    rng = np.random.default_rng(seed)

    def risks(counts: np.ndarray) -> np.ndarray:  # counts: (b, n_people) -> (b, arms)
        d = counts @ dense
        s = (sparse @ counts.T).T
        return np.stack([_aj(d, s, at, horizon) for at in layout], axis=1)

    estimate = risks(np.ones((1, n_people), np.float32))[0]
    values = []
    chunk = max(1, min(replicates, 50, int(1e8 // max(n_people * 8, 1))))  # bounds memory
    for first in range(0, replicates, chunk):
        size = min(chunk, replicates - first)
        # Held people by replicates, so `sparse @ counts.T` reads it in place: scipy copies a transposed operand
        # whole (a third of the bootstrap's time on a million people).
        by_people = np.zeros((n_people, size), np.float32)
        for row in range(size):
            by_people[:, row] = np.bincount(rng.integers(0, n_people, size=n_people), minlength=n_people)
        counts = by_people.T
        values.append(risks(counts) + (correction(counts) if correction else 0.0))
    replicate_values = np.vstack(values)
    names = [a.name for a in arms]
    return Bootstrap(
        {n: float(estimate[i]) for i, n in enumerate(names)}, {n: replicate_values[:, i] for i, n in enumerate(names)}
    )


def _aj(dense: np.ndarray, sparse: np.ndarray, at: tuple[int, int, int], horizon: int) -> np.ndarray:
    """Aalen-Johansen at the horizon on a daily grid from weighted sums, for every replicate at once.

    Weights change by week, events and censoring happen on days. In a week whose weights change, the weighted
    number at risk on day t is the week's number at risk at its start (dense) less those who left earlier in the
    week; after that, everyone still at risk carries her final weight, so it is a reverse sum of exits."""
    d0, width, s0 = at
    days = WEEK * horizon
    cols = days + 1
    exits = sparse[:, s0 : s0 + cols].astype(np.float64)
    repeats = sparse[:, s0 + cols : s0 + cols + days]
    competing = sparse[:, s0 + 2 * cols : s0 + 2 * cols + days]
    at_risk = np.cumsum(exits[:, ::-1], axis=1)[:, ::-1][:, :days]
    if width:
        early_days = WEEK * width
        left = exits[:, :early_days].reshape(exits.shape[0], width, WEEK)
        left_before = np.cumsum(left, axis=2) - left  # left earlier in the same week
        start = np.repeat(dense[:, d0 : d0 + width], WEEK, axis=1).reshape(left.shape)
        at_risk[:, :early_days] = (start - left_before).reshape(exits.shape[0], early_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        h1 = np.where(at_risk > 1e-12, repeats / at_risk, 0.0)
        h2 = np.where(at_risk > 1e-12, competing / at_risk, 0.0)
    survival = np.cumprod(np.hstack([np.ones((h1.shape[0], 1)), 1 - h1 - h2]), axis=1)[:, :-1]
    return (survival * h1).sum(axis=1)


@dataclass
class Binned:
    """One arm's clones counted by bin of the censoring model's linear predictor, exit week and status: enough to
    recompute the arm's risk under refitted weights cheaply."""

    key: np.ndarray  # each clone's cell
    x_mean: np.ndarray  # (bins, confounders): the bin's mean confounders
    shape: tuple[int, int, int]
    arm: Arm
    horizon: int


def binned(arm: Arm, x: np.ndarray, beta: np.ndarray, horizon: int, bins: int = 50) -> Binned:
    linear = x @ beta
    edges = np.unique(np.quantile(linear, np.linspace(0, 1, bins + 1)[1:-1]))
    group = np.searchsorted(edges, linear, side="right")
    count = edges.size + 1
    x_mean = np.vstack([np.bincount(group, x[:, j], minlength=count) for j in range(x.shape[1])]).T
    x_mean /= np.maximum(np.bincount(group, minlength=count), 1)[:, None]
    shape = (count, horizon + 1, 3)
    key = (group * (horizon + 1) + np.maximum(arm.exit_week, 0)) * 3 + arm.status
    return Binned(key, x_mean, shape, arm, horizon)


def binned_risk(b: Binned, tables: np.ndarray, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The arm's weighted Aalen-Johansen risk at the horizon, every clone of a bin given the bin's weights, for a
    batch of replicates at once: `tables` (replicates, *shape), `alpha` (replicates, weeks), `beta` (replicates, p)."""
    horizon, weeks, last, grace = b.horizon, b.arm.strategy_weeks, b.arm.last, b.arm.grace
    h = 1 / (1 + np.exp(-(alpha[:, None, : weeks + grace] + (beta @ b.x_mean.T)[:, :, None])))  # (r, bins, weeks)
    stay = np.cumprod(np.concatenate([np.ones((*h.shape[:2], 1)), 1 - h], axis=2), axis=2)
    early = 1 / stay[:, :, 1 : weeks + 1]  # (r, bins, W), as in clone_arm
    final = 1 / (stay[:, :, weeks] - stay[:, :, weeks + grace])  # (r, bins)
    exits = tables.sum(axis=3)  # (r, bins, horizon + 1)
    remaining = np.cumsum(exits[:, :, ::-1], axis=2)[:, :, ::-1]  # at risk: exit week >= k
    at_risk = np.empty((tables.shape[0], horizon))
    at_risk[:, : last + 1] = (early * remaining[:, :, : last + 1]).sum(axis=1)
    at_risk[:, last + 1 :] = np.einsum("rgk,rg->rk", remaining[:, :, last + 1 : horizon], final)
    events = []
    for status in (1, 2):
        cells = tables[:, :, :horizon, status]
        counts = np.empty_like(at_risk)
        counts[:, : last + 1] = (early * cells[:, :, : last + 1]).sum(axis=1)
        counts[:, last + 1 :] = np.einsum("rgk,rg->rk", cells[:, :, last + 1 :], final)
        events.append(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        h1 = np.where(at_risk > 0, events[0] / at_risk, 0.0)
        h2 = np.where(at_risk > 0, events[1] / at_risk, 0.0)
    survival = np.cumprod(np.hstack([np.ones((h1.shape[0], 1)), 1 - h1 - h2]), axis=1)[:, :-1]
    return (survival * h1).sum(axis=1)


def emulate(ep: Episodes, x: np.ndarray, spec: Spec) -> tuple[Bootstrap, WeightModel, list[Arm]]:
    """The trial: clones of both strategies, weights, and the risks at the horizon with bootstrap replicates in
    which the censoring model is refitted (one Newton step) and the clones reweighted."""
    model = fit_censoring_model(ep, x, spec, np.random.default_rng(spec.seed))
    arms = [clone_arm(ep, model.hazard, weeks, spec) for weeks in (spec.short_weeks, spec.long_weeks)]
    groups = [binned(arm, x, model.beta, spec.horizon_weeks) for arm in arms]
    n_people = int(ep.person.max()) + 1
    # Each arm's clones counted by person and cell, so a replicate's tables are one sparse product with its counts.
    by_person = [
        sp.csr_matrix(
            # -1: never entered the risk set. float32 holds these counts exactly (whole numbers below 2**24).
            ((arm.exit_week >= 0).astype(np.float32), (ep.person, g.key)),
            shape=(n_people, int(np.prod(g.shape))),
        ).T.tocsr()
        for arm, g in zip(arms, groups, strict=True)
    ]
    fit_person = ep.person[model.fit_rows]

    def refit(counts: np.ndarray) -> np.ndarray:
        replicates = counts.shape[0]
        alpha, beta = model.one_step(counts[:, fit_person].astype(np.float64))
        out = np.zeros((replicates, len(arms)))
        for j, group in enumerate(groups):
            tables = (by_person[j] @ counts.T).T.astype(np.float64).reshape((replicates, *group.shape))
            fixed_alpha = np.broadcast_to(model.alpha, alpha.shape)
            fixed_beta = np.broadcast_to(model.beta, beta.shape)
            out[:, j] = binned_risk(group, tables, alpha, beta) - binned_risk(group, tables, fixed_alpha, fixed_beta)
        return out

    result = weekly_risks(arms, [ep.person] * len(arms), spec.horizon_weeks, spec.replicates, spec.seed, refit)
    return result, model, arms
