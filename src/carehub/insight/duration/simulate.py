"""Synthetic support episodes with a planted effect of longer support, and the true answer for the same women.

Why: an analysis of "does longer support prevent repeat referrals" can only be trusted once it has recovered a known
answer from data built like the real thing, confounding included. Here women at higher risk are kept in support
longer AND are referred again more often, so comparing long with short episodes directly is biased (longer support
looks useless or harmful); the planted benefit is a hazard ratio for each extra block of support.

The data-generating process, per woman (one episode each; start of support is day 0):
- confounders: risk level, DASH score, MARAC, previous referrals, needs, age band, borough, service type, by-and-for,
  ethnic group, disability;
- support ends in week k (if it has not ended) with probability expit(alpha_k + gamma . confounders): high risk and
  MARAC lower it (longer support), and commissioning makes endings bunch at weeks 12 and 26; the day within the week
  is uniform. This is exactly a pooled logistic model, so the analysis's censoring model can be right;
- a repeat referral arrives with hazard lambda * exp(beta . confounders) per day, times `during_support` while in
  support and, after support of d weeks ends, times `hazard_ratio ** ((d - 12) / block_weeks)`: each extra block
  of support lowers the hazard after it by the planted ratio (26 against 12 weeks is one block by default);
- competing events (moved out of area, died, record erased) at a constant hazard, ending support if it is running;
- start dates spread over `accrual_days` before the extract date, which censors follow-up.

The truth is simulated, not derived: each woman's outcome is drawn again under "support ends in week 12" and "support
ends in week 26" with the same random numbers (her potential outcomes), and the 52-week risks are averaged over the
same women (simulating many women gives the value the estimators target).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RISK_LEVELS = ("standard", "medium", "high")
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+")
BOROUGHS = ("Camden", "Hackney", "Lambeth", "Newham", "Southwark", "Tower Hamlets", "Croydon", "Barnet")
SERVICE_TYPES = ("idva", "outreach", "refuge")
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other")
COMPETING = ("moved_away", "died", "erased")
HORIZON_DAYS = 364


@dataclass(frozen=True)
class Planted:
    """The settings of the data-generating process: the effect and how strongly risk confounds it."""

    hazard_ratio: float = 0.6  # per extra block of support, on the hazard of a repeat after support ends
    block_weeks: float = 14.0  # 26 weeks against 12 is one block
    during_support: float = 0.7  # hazard multiplier while in support
    yearly_repeat_rate: float = 0.12  # baseline hazard per year for a standard-risk woman
    yearly_competing_rate: float = 0.10
    confounding: float = 1.0  # 0 removes the link between risk and duration
    accrual_days: int = 3 * 365
    extract_date: dt.date = dt.date(2026, 10, 31)


@dataclass
class Simulated:
    episodes: pa.Table
    referrals: pa.Table
    extract_date: dt.date
    planted: Planted
    truth: dict = field(default_factory=dict)  # risk_short, risk_long, risk_difference, risk_ratio (same women)

    def write(self, folder: str | Path) -> Path:
        """episodes.parquet and referrals.parquet in the layout `carehub duration run` reads."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(self.episodes, folder / "episodes.parquet")
        pq.write_table(self.referrals, folder / "referrals.parquet")
        return folder


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _confounders(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    risk = rng.choice(3, size=n, p=[0.4, 0.35, 0.25])
    dash_low = np.array([0, 10, 14])[risk]
    dash_high = np.array([9, 13, 27])[risk]
    dash = rng.integers(dash_low, dash_high + 1)
    marac = rng.random(n) < np.array([0.03, 0.15, 0.8])[risk]
    previous = rng.poisson(0.2 + 0.4 * risk)
    needs = rng.poisson(1.0 + 0.6 * risk)
    service = np.where(risk == 2, rng.choice(3, size=n, p=[0.7, 0.1, 0.2]), rng.choice(3, size=n, p=[0.2, 0.7, 0.1]))
    return {
        "risk": risk,
        "dash": dash,
        "marac": marac,
        "previous": previous,
        "needs": needs,
        "age": rng.choice(len(AGE_BANDS), size=n, p=[0.2, 0.3, 0.25, 0.15, 0.07, 0.03]),
        "borough": rng.integers(0, len(BOROUGHS), size=n),
        "service": service,
        "by_and_for": rng.random(n) < 0.2,
        "ethnic": rng.choice(len(ETHNIC_GROUPS), size=n, p=[0.18, 0.15, 0.06, 0.55, 0.06]),
        "disability": rng.random(n) < 0.15,
    }


def _end_model(c: dict, planted: Planted) -> tuple[np.ndarray, np.ndarray]:
    """The weekly model of support ending: a level per week (endings bunch where contracts end, weeks 12 and 26) and
    each woman's shift from her confounders (high risk and MARAC keep support going)."""
    alpha = np.full(52, -3.6)
    alpha[12], alpha[13:26], alpha[26], alpha[27:] = 0.2, -2.6, 0.4, -1.6
    gamma = planted.confounding * (
        -0.9 * (c["risk"] == 1) - 1.6 * (c["risk"] == 2) - 0.04 * (c["dash"] - 10) - 0.5 * c["marac"] - 0.1 * c["needs"]
    )
    return alpha, gamma


def end_hazards(covariates, planted: Planted | None = None, weeks: int = 52) -> np.ndarray:
    """The true P(support ends in week k | in support at its start) for episodes with these covariates (a frame
    with `simulate`'s risk_level, dash_score, marac and needs), weeks 0..weeks-1: the censoring model the analysis
    estimates, for checking the rest of the estimator without the estimate's noise."""
    level = covariates["risk_level"].to_numpy().astype(str)
    c = {
        "risk": sum(code * (level == name) for code, name in enumerate(RISK_LEVELS)),
        "dash": covariates["dash_score"].to_numpy().astype(float),
        "marac": covariates["marac"].to_numpy().astype(float),
        "needs": covariates["needs"].to_numpy().astype(float),
    }
    alpha, gamma = _end_model(c, planted or Planted())
    return _expit(alpha[None, :weeks] + gamma[:, None])


def _end_week(rng: np.random.Generator, c: dict, planted: Planted) -> np.ndarray:
    """The week support ends (0-based), by the weekly hazard; 52 means still running after a year."""
    n = c["risk"].size
    alpha, gamma = _end_model(c, planted)
    weeks = np.full(n, 52)
    running = np.ones(n, dtype=bool)
    for k in range(52):
        ends = running & (rng.random(n) < _expit(alpha[k] + gamma))
        weeks[ends] = k
        running &= ~ends
    return weeks


def _outcome_score(c: dict) -> np.ndarray:
    return (
        1.0 * (c["risk"] == 1)
        + 2.0 * (c["risk"] == 2)
        + 0.03 * (c["dash"] - 10)
        + 0.5 * c["marac"]
        + 0.25 * np.minimum(c["previous"], 5)
        + 0.08 * c["needs"]
        - 0.1 * (c["age"] >= 3)
    )


def _repeat_day(exp1: np.ndarray, rate: np.ndarray, support_days: np.ndarray, planted: Planted) -> np.ndarray:
    """Invert the cumulative hazard: during support rate * during_support, afterwards rate * ratio ** blocks."""
    during = rate * planted.during_support
    after = rate * planted.hazard_ratio ** ((support_days / 7 - 12) / planted.block_weeks)
    used = during * support_days
    return np.where(exp1 <= used, exp1 / during, support_days + (exp1 - used) / after)


def simulate(n: int, *, seed: int, planted: Planted | None = None) -> Simulated:
    """`n` women, one episode each, deterministic for a seed; with the true 52-week risks for these same women."""
    planted = planted or Planted()
    rng = np.random.default_rng(seed)
    c = _confounders(rng, n)
    week = _end_week(rng, c, planted)
    day_in_week = rng.integers(0, 7, size=n)
    support = (7 * week + day_in_week).astype(float)
    rate = planted.yearly_repeat_rate / 365 * np.exp(_outcome_score(c))
    exp1 = rng.exponential(size=n)  # her own random number, shared by every strategy: common random numbers
    competing_at = rng.exponential(365 / (planted.yearly_competing_rate * np.exp(0.3 * (c["risk"] == 2))), size=n)
    competing_kind = rng.choice(3, size=n, p=[0.85, 0.05, 0.10])
    follow = rng.integers(0, planted.accrual_days, size=n).astype(float)  # extract date minus start date, in days
    # Referrals keep coming after the first (a Poisson process on the same hazard): the later ones matter to any
    # analysis that counts from the end of support, where a repeat during support is not the last word.
    later = exp1[:, None] + np.cumsum(rng.exponential(size=(n, 2)), axis=1)
    repeat_at = np.column_stack([_repeat_day(e, rate, support, planted) for e in (exp1, later[:, 0], later[:, 1])])
    truth = {}
    for name, weeks in (("short", 12), ("long", 26)):
        support_under = 7.0 * weeks + day_in_week
        # The first repeat after the day support starts, as the data are read (`data.first_referrals`: a referral
        # received the day support starts is not told apart from the one that started it), so a repeat on day 0
        # gives way to her next one, exactly as in the extract written below.
        days = np.column_stack([_repeat_day(e, rate, support_under, planted) for e in (exp1, later[:, 0], later[:, 1])])
        potential = np.where(days >= 1, days, np.inf).min(axis=1)
        truth[f"risk_{name}"] = float(np.mean((potential < competing_at) & (potential < HORIZON_DAYS)))
    truth["risk_difference"] = truth["risk_long"] - truth["risk_short"]
    truth["risk_ratio"] = truth["risk_long"] / truth["risk_short"]
    episodes, referrals = _tables(rng, c, support, repeat_at, competing_at, competing_kind, follow, planted)
    return Simulated(episodes, referrals, planted.extract_date, planted, truth)


@dataclass
class Course:
    """What the planted process draws for episodes of real shape (`plant`): support, repeats, competing events."""

    support_days: np.ndarray  # support ends then, unless a competing event ends it first
    day_in_week: np.ndarray
    rate: np.ndarray  # hazard of a repeat referral per day, before the effect of support
    exp1: np.ndarray  # her own random number behind the first repeat, shared by every strategy
    competing_at: np.ndarray  # days from the start of support; it counts only while she is in support
    competing_kind: np.ndarray  # 0 moved away, 1 died: what a closure records

    def repeat_day(self, support_days: np.ndarray, planted: Planted) -> np.ndarray:
        """Days from the start of support to her first repeat referral had support lasted `support_days`; inf if
        a competing event ended support first."""
        day = _repeat_day(self.exp1, self.rate, np.asarray(support_days, dtype=float), planted)
        return np.where(self.competing_at < np.minimum(support_days, day), np.inf, day)

    def truth(self, planted: Planted, weeks: tuple[int, int] = (12, 26)) -> dict:
        """The 52-week risk of a repeat for these same episodes had support ended in week 12, and in week 26 (their
        potential outcomes, same random numbers), with the difference and the ratio."""
        truth = {}
        for name, w in zip(("short", "long"), weeks, strict=True):
            day = self.repeat_day(7.0 * w + self.day_in_week, planted)
            truth[f"risk_{name}"] = float(np.mean(day < HORIZON_DAYS)) if day.size else float("nan")
        truth["risk_difference"] = truth["risk_long"] - truth["risk_short"]
        truth["risk_ratio"] = truth["risk_long"] / truth["risk_short"] if truth["risk_short"] else float("nan")
        return truth


def plant(rng: np.random.Generator, c: dict[str, np.ndarray], planted: Planted | None = None) -> Course:
    """The planted process for episodes of real shape (the demo seed, `carehub seed`), given `simulate`'s
    confounders in `c` (risk 0/1/2, dash, marac, needs, age index): support length by the same weekly model as
    `simulate`, so risk confounds it the same way, and the repeat hazard with the same effect of support. Two
    differences, both so that a seeded database holds exactly what is drawn here: previous referrals do not change
    the hazard (in a database they are the repeats planted before), and a competing event (moved away, died) is
    one a service records when it closes the case, so it counts only during support."""
    planted = planted or Planted()
    n = c["risk"].size
    week = _end_week(rng, c, planted)
    day_in_week = rng.integers(0, 7, size=n)
    score = _outcome_score({**c, "previous": np.zeros(n, dtype=np.int64)})
    risk_rate = planted.yearly_competing_rate * np.exp(0.3 * (c["risk"] == 2))
    return Course(
        support_days=(7 * week + day_in_week).astype(float),
        day_in_week=day_in_week,
        rate=planted.yearly_repeat_rate / 365 * np.exp(score),
        exp1=rng.exponential(size=n),
        competing_at=rng.exponential(365 / risk_rate, size=n),
        competing_kind=rng.choice(2, size=n, p=[0.85, 0.15]),
    )


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Days since the epoch as a Parquet date column, null where not `valid`."""
    return pa.array(days.astype("datetime64[D]"), mask=None if valid is None else ~valid, type=pa.date32())


def _tables(rng, c, support, repeat_at, competing_at, competing_kind, follow, planted):
    n = support.size
    extract = np.datetime64(planted.extract_date, "D").astype(np.int64)
    start = extract - follow.astype(np.int64)
    ends_day = np.minimum(support, competing_at)
    ended = ends_day < follow  # otherwise still in support at the extract date
    counted = np.where(repeat_at >= 1, repeat_at, np.inf).min(axis=1)  # the first repeat the analysis sees
    competing_seen = competing_at < np.minimum(follow, counted)
    keys = pa.array(np.char.add("w", np.arange(n).astype("U8")))
    text = lambda values, codes: pa.array(np.array(values, dtype=object)[codes])  # noqa: E731
    episodes = pa.table(
        {
            "episode_key": pa.array(np.char.add("e", np.arange(n).astype("U8"))),
            "survivor_key": keys,
            "started_on": _dates(start),
            "ended_on": _dates(start + np.floor(np.minimum(ends_day, 1e6)).astype(np.int64), ended),
            "service_type": text(SERVICE_TYPES, c["service"]),
            "risk_level": text(RISK_LEVELS, c["risk"]),
            "dash_score": pa.array(c["dash"].astype(np.int64)),
            "marac": pa.array(c["marac"]),
            "previous_referrals": pa.array(c["previous"].astype(np.int64)),
            "needs": pa.array(c["needs"].astype(np.int64)),
            "age_band": text(AGE_BANDS, c["age"]),
            "borough": text(BOROUGHS, c["borough"]),
            "by_and_for": pa.array(c["by_and_for"]),
            "ethnic_group": text(ETHNIC_GROUPS, c["ethnic"]),
            "disability": text(("no", "yes"), c["disability"].astype(int)),
            "competing_event": pa.array(np.array(COMPETING, dtype=object)[competing_kind], mask=~competing_seen),
            "competing_on": _dates(start + np.floor(np.minimum(competing_at, 1e6)).astype(np.int64), competing_seen),
        }
    )
    seen = (repeat_at < follow[:, None]) & (repeat_at < competing_at[:, None])
    index_referral = start - rng.integers(1, 30, size=n)
    who = np.broadcast_to(np.arange(n)[:, None], seen.shape)[seen]
    repeat_on = start[who] + np.floor(repeat_at[seen]).astype(np.int64)
    seconds = (np.concatenate([index_referral, repeat_on]) * 86400 + 10 * 3600).astype("datetime64[s]")
    referrals = pa.table(
        {
            "survivor_key": pa.concat_arrays([keys, keys.take(pa.array(who))]),
            "received_at": pa.array(seconds, type=pa.timestamp("s")).cast(pa.timestamp("us", tz="UTC")),
        }
    )
    return episodes, referrals
