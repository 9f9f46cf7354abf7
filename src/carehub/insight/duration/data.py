"""Support episodes from the extract's Parquet, through Ibis, into numpy arrays in days from the start of support.

Two data sets (the second only when the first does not carry its outcome):
- `episodes.parquet`: one row per episode of support, keyed by the person (`survivor_key`, the pseudonym shared by
  all of one woman's records), with `started_on`, `ended_on` (empty while support continues), the confounders, the
  groups to describe, and `competing_event` / `competing_on` (moved away, died, record erased). The hub's extract
  (`carehub extract`) also writes each episode's outcome, `next_referral_on` and `next_referral_after_end_on`,
  because only the hub knows which referrals were onward referrals made by the service itself (not a repeat), and
  `extract_on`, the last day of the data; with those, referrals.parquet is not read;
- `referrals.parquet`: the extract's referrals (`survivor_key`, `received_at`); a repeat is any of the same
  person's referrals received after the episode started (for the trial) or after it ended (for the description).

The join and the "first referral after" are one aggregate query on the backend (DuckDB or PySpark); what comes back
is one row per episode, turned into arrays here. Dates become whole days, the grain the data has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .spec import DurationError, Spec

EPISODE_COLUMNS = ("episode_key", "survivor_key", "started_on", "ended_on", "competing_event", "competing_on")
REFERRAL_COLUMNS = ("survivor_key", "received_at")
OUTCOME_COLUMNS = ("next_referral_on", "next_referral_after_end_on")  # precomputed by the hub's extract
COMPETING_KINDS = ("moved_away", "died", "erased")


@dataclass
class Episodes:
    """Arrays, one entry per episode; times in days from the start of support; inf where it never happened."""

    person: np.ndarray  # integer code of the person, for bootstrap and robust errors
    support_days: np.ndarray  # length of support; for an open episode, the days so far
    open: np.ndarray  # still in support at the extract date
    repeat_day: np.ndarray  # first new referral after the start of support
    repeat_after_end: np.ndarray  # days from the end of support to the first referral after it
    competing_day: np.ndarray
    competing_kind: np.ndarray  # "" or one of COMPETING_KINDS
    admin_day: np.ndarray  # the extract date: follow-up ends here
    covariates: pd.DataFrame  # the confounders and the groups, as read
    extract_date: dt.date

    def __len__(self) -> int:
        return self.person.size


def open_tables(con: ibis.BaseBackend, data_dir: str | Path) -> tuple[ibis.Table, ibis.Table | None]:
    """The Parquet files as Ibis tables on `con`, read in place; no referrals table when the episodes carry their
    outcome (OUTCOME_COLUMNS)."""
    folder = Path(data_dir)
    path = folder / "episodes.parquet"
    if not path.exists():
        raise DurationError(f"No episodes.parquet in {folder}: run `carehub extract --out {folder}` first.")
    episodes = con.read_parquet(path)
    if set(OUTCOME_COLUMNS) <= set(episodes.columns):
        return episodes, None
    path = folder / "referrals.parquet"
    if not path.exists():
        raise DurationError(
            f"No referrals.parquet in {folder}, and episodes.parquet lacks {', '.join(OUTCOME_COLUMNS)}: the "
            "analysis needs one or the other to find repeat referrals."
        )
    return episodes, con.read_parquet(path)


def first_referrals(episodes: ibis.Table, referrals: ibis.Table) -> ibis.Table:
    """Each episode with the date of the same person's first referral after its start and after its end."""
    received = referrals.received_at
    referrals = referrals.select(survivor_key=referrals.survivor_key, received_on=received.date())
    keys = episodes.select("episode_key", "survivor_key", "started_on", "ended_on")
    joined = keys.join(referrals, "survivor_key")
    firsts = joined.group_by("episode_key").aggregate(
        next_after_start=joined.received_on.min(where=joined.received_on > joined.started_on),
        next_after_end=joined.received_on.min(where=joined.received_on > joined.ended_on),
    )
    return episodes.left_join(firsts, "episode_key").drop("episode_key_right")


def load(con: ibis.BaseBackend, data_dir: str | Path, spec: Spec, *, extract_date: dt.date | None = None) -> Episodes:
    """Read, join and turn into arrays. `extract_date` defaults to the extract's `extract_on`, else the latest date
    anywhere in the data."""
    episodes, referrals = open_tables(con, data_dir)
    needed = {*EPISODE_COLUMNS, *spec.confounders, *spec.groups}
    missing = sorted(needed - set(episodes.columns))
    if missing:
        raise DurationError(f"episodes.parquet lacks column(s) {', '.join(missing)}.")
    if referrals is None:
        if extract_date is None and "extract_on" in episodes.columns:
            extract_date = episodes.extract_on.max().to_pyarrow().as_py()
        outcome = {"next_after_start": episodes.next_referral_on, "next_after_end": episodes.next_referral_after_end_on}
        table = episodes.select(*sorted(needed), **outcome).to_pyarrow()
    else:
        missing = sorted(set(REFERRAL_COLUMNS) - set(referrals.columns))
        if missing:
            raise DurationError(f"referrals.parquet lacks column(s) {', '.join(missing)}.")
        episodes = episodes.select(*sorted(needed))
        table = first_referrals(episodes, referrals).to_pyarrow()
    if extract_date is None:
        extract_date = _latest(con, episodes, referrals)
    return from_arrow(table, spec, extract_date)


def _latest(con, episodes: ibis.Table, referrals: ibis.Table | None) -> dt.date:
    latest = [
        episodes.started_on.max().to_pyarrow().as_py(),
        episodes.ended_on.max().to_pyarrow().as_py(),
    ]
    if referrals is not None:
        latest.append(referrals.received_at.date().max().to_pyarrow().as_py())
    if "next_referral_on" in episodes.columns:
        latest.append(episodes.next_referral_on.max().to_pyarrow().as_py())
    latest = [d.date() if isinstance(d, dt.datetime) else d for d in latest if d is not None]
    if not latest:
        raise DurationError("The data hold no dates, so the extract date is unknown: give --extract-date.")
    return max(latest)


def _days(column: pa.ChunkedArray) -> np.ndarray:
    """Days since the epoch as floats, nan where empty."""
    values = column.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=float)


def from_arrow(table: pa.Table, spec: Spec, extract_date: dt.date) -> Episodes:
    start = _days(table["started_on"])
    if np.isnan(start).any():
        raise DurationError("Some episodes have no started_on date; every episode needs one.")
    end = _days(table["ended_on"])
    extract = float((extract_date - dt.date(1970, 1, 1)).days)
    is_open = np.isnan(end) | (end > extract)
    support = np.where(is_open, extract - start, end - start)
    if (support < 0).any():
        raise DurationError("Some episodes end before they start, or start after the extract date.")
    repeat = _days(table["next_after_start"]) - start
    after_end = _days(table["next_after_end"]) - end
    competing = _days(table["competing_on"]) - start
    kind = pc.fill_null(table["competing_event"].cast(pa.string()), "").to_numpy(zero_copy_only=False).astype(str)
    competing = np.where(np.isin(kind, COMPETING_KINDS), competing, np.nan)
    kind = np.where(np.isnan(competing), "", kind)
    person = pc.dictionary_encode(table["survivor_key"].combine_chunks()).indices.to_numpy(zero_copy_only=False)
    covariates = table.select([c for c in table.column_names if c in {*spec.confounders, *spec.groups}]).to_pandas()
    return Episodes(
        person=person.astype(np.int64),
        support_days=support,
        open=is_open,
        repeat_day=np.nan_to_num(repeat, nan=np.inf),
        repeat_after_end=np.where(is_open, np.inf, np.nan_to_num(after_end, nan=np.inf)),
        competing_day=np.nan_to_num(competing, nan=np.inf),
        competing_kind=kind,
        admin_day=extract - start,
        covariates=covariates,
        extract_date=extract_date,
    )


def design(covariates: pd.DataFrame, spec: Spec) -> tuple[np.ndarray, list[str]]:
    """The confounders as a numeric matrix: numbers as they are (a missing value becomes the median, with a flag),
    yes/no as 0/1, categories as indicators against their most common level."""
    parts, names = [], []
    for column in spec.numeric:
        values = pd.to_numeric(covariates[column], errors="coerce").astype(float)
        missing = values.isna()
        parts.append(values.fillna(values.median() if not missing.all() else 0.0).to_numpy())
        names.append(column)
        if missing.any():
            parts.append(missing.to_numpy(dtype=float))
            names.append(f"{column} missing")
    for column in spec.flags:
        parts.append(covariates[column].fillna(False).astype(bool).to_numpy(dtype=float))
        names.append(column)
    for column in spec.categorical:
        values = covariates[column].astype(object).where(covariates[column].notna(), "unknown").astype(str)
        levels = values.value_counts()
        codes = pd.Categorical(values, categories=list(levels.index)).codes
        for i, level in enumerate(levels.index[1:], start=1):
            parts.append((codes == i).astype(float))
            names.append(f"{column}={level}")
    x = np.column_stack(parts) if parts else np.zeros((len(covariates), 0))
    keep = independent_columns(x)
    return x[:, keep], [names[j] for j in keep]


def independent_columns(x: np.ndarray, tolerance: float = 1e-9) -> list[int]:
    """The columns to keep, in order: each one not constant and not a linear combination of those kept before it.

    Real data have them (in the demo, MARAC is decided by high risk, so the flag repeats the risk level exactly), and
    a model cannot separate two columns that say the same thing: Cox and the censoring model would fail or wander.
    Greedy on the centred Gram matrix (columns x columns, so one product over the rows)."""
    if x.shape[1] == 0:
        return []
    mean = x.mean(axis=0)
    gram = x.T @ x - len(x) * np.outer(mean, mean)  # the centred Gram matrix without a centred copy of x
    keep: list[int] = []
    for j in range(x.shape[1]):
        total = gram[j, j]
        if total <= tolerance * max(len(x), 1):
            continue
        if keep:
            k = np.array(keep)
            coef = np.linalg.lstsq(gram[np.ix_(k, k)], gram[k, j], rcond=None)[0]
            residual = total - gram[k, j] @ coef
        else:
            residual = total
        if residual > tolerance * total * 1e3:
            keep.append(j)
    return keep
