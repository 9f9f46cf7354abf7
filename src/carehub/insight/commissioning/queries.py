"""Demand, unmet-need and wait-stage queries in Ibis over the extract's Parquet, with small numbers suppressed.

Every query is a GROUP BY the backend does (DuckDB by default, PySpark for national volume through
`insight.equality.backends.connect`); only aggregates come back to Python, sorted, so the two backends give
identical frames. Waits come back as counts per (whole day, finished or still waiting), which is all Kaplan-Meier
needs (`waits.summarise` takes weights), so ten million referrals cost one small table per stage.

Published tables pass through `carehub.insight.suppression.suppress` (primary and secondary suppression by the
same rule as the equality pages): a hidden count is None, never a number a reader could subtract back.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd

from ..equality.backends import connect
from ..suppression import TOTAL, suppress

STAGES = {
    "offer": "days_to_offer",
    "acceptance": "days_to_acceptance",
    "first_contact": "days_to_first_contact",
    "allocation": "days_to_allocation",
}
SPLITS = ("borough", "channel", "need", "risk_level")


def open_extract(data_dir: Path, con: ibis.BaseBackend | None = None) -> dict[str, ibis.Table]:
    """The extract's referrals and (when written) offers as Ibis tables; nothing is read yet."""
    con = con or connect("duckdb")
    tables = {"referrals": con.read_parquet(str(Path(data_dir) / "referrals.parquet"))}
    if (Path(data_dir) / "offers.parquet").exists():
        tables["offers"] = con.read_parquet(str(Path(data_dir) / "offers.parquet"))
    return tables


def _month(table: ibis.Table) -> ibis.Value:
    """'YYYY-MM' built from integers: both backends format dates differently, integers are the same everywhere."""
    year, month = table.received_at.year(), table.received_at.month()
    return year.cast("string").concat(ibis.ifelse(month < 10, "-0", "-"), month.cast("string"))


def _frame(expr: ibis.Table, order: list[str]) -> pd.DataFrame:
    return expr.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)


def monthly_demand(referrals: ibis.Table, by: str | None = None) -> pd.DataFrame:
    """Referrals and unique people (the extract's survivor_key is the person's) per month, optionally per split."""
    keys = [_month(referrals).name("month"), *([referrals[by]] if by else [])]
    expr = referrals.group_by(keys).aggregate(referrals=referrals.count(), people=referrals.survivor_key.nunique())
    frame = _frame(expr, ["month", *([by] if by else [])])
    return frame.astype({"referrals": "int64", "people": "int64"})


def repeat_share(referrals: ibis.Table) -> dict[str, float | int]:
    """People referred more than once over the whole extract, as a share of people referred."""
    per_person = referrals.group_by("survivor_key").aggregate(n=referrals.count())
    row = per_person.aggregate(people=per_person.count(), repeat=(per_person.n > 1).cast("int64").sum()).to_pandas()
    people, repeat = int(row.people.iloc[0]), int(row.repeat.iloc[0] or 0)
    return {"people": people, "repeat_people": repeat, "share": repeat / people if people else float("nan")}


def wait_counts(referrals: ibis.Table, stage: str) -> pd.DataFrame:
    """Counts per (whole days waited, finished) for one stage: still-waiting women are censored at days observed.

    Days are floored to whole days (lifelines-style: store durations in whole days), so ties group and the table
    stays small whatever the volume."""
    days = referrals[STAGES[stage]]
    finished = days.notnull()
    time = ibis.coalesce(days, referrals.days_observed).floor().cast("int64")
    expr = referrals.group_by([time.name("days"), finished.name("finished")]).aggregate(women=referrals.count())
    return _frame(expr, ["days", "finished"]).astype({"days": "int64", "finished": bool, "women": "int64"})


def waiting_list(referrals: ibis.Table, stage: str = "allocation") -> pd.DataFrame:
    """Women waiting at each month end: received by then, not yet through `stage` by then (or still waiting).

    The backend counts (month received, month through the stage); the running sum over months is done here, on a
    table of at most months x months rows."""
    through = referrals.received_at + referrals[STAGES[stage]].ceil().cast("int64").as_interval("D")
    out = through.year() * 100 + through.month()
    expr = referrals.group_by(
        [(referrals.received_at.year() * 100 + referrals.received_at.month()).name("entered"), out.name("left")]
    ).aggregate(women=referrals.count())
    pairs = expr.to_pandas()
    months = sorted(set(pairs.entered))
    rows = []
    for month in months:
        waiting = pairs[(pairs.entered <= month) & (pairs.left.isna() | (pairs.left > month))].women.sum()
        rows.append({"month": f"{month // 100:04d}-{month % 100:02d}", "waiting": int(waiting)})
    return pd.DataFrame(rows, columns=["month", "waiting"])


def declines(offers: ibis.Table, by: str = "service_type") -> pd.DataFrame:
    """Offers and declines by reason per `by` (service type, or by_and_for): the counts behind rates per 100."""
    reason = ibis.ifelse(offers.status == "declined", offers.decline_reason, "")
    expr = offers.group_by([offers[by].name(by), reason.name("decline_reason")]).aggregate(offers=offers.count())
    return _frame(expr, [by, "decline_reason"]).astype({"offers": "int64"})


def by_and_for(referrals: ibis.Table) -> dict[str, int | float]:
    """Of women who asked for a by-and-for service, how many were offered one: a headline, not a table row."""
    asked = referrals.filter(referrals.wants_by_and_for)
    row = asked.aggregate(asked=asked.count(), offered=asked.offered_by_and_for.cast("int64").sum()).to_pandas()
    asked_n, offered = int(row.asked.iloc[0]), int(row.offered.iloc[0] or 0)
    return {"asked": asked_n, "offered": offered, "share": offered / asked_n if asked_n else float("nan")}


def suppressed(frame: pd.DataFrame, row: str, column: str, value: str, *, threshold: int) -> pd.DataFrame:
    """A long table of counts with `value` replaced by None where suppression hides it, totals included.

    The table is laid out as rows x columns (with their totals) for `suppression.suppress`, which hides every
    count under the threshold and the least others that stop it being worked out from the totals."""
    rows, columns = sorted(frame[row].unique()), sorted(frame[column].unique())
    counts = {(r, c): int(v) for r, c, v in frame[[row, column, value]].itertuples(index=False)}
    table = suppress(rows, columns, counts, threshold=threshold)
    out = [
        {row: r, column: c, value: table.shown(r, c)} for r in [*rows, TOTAL] for c in [*columns, TOTAL]
    ]  # every cell of the grid: leaving out a zero would publish it
    return pd.DataFrame(out, columns=[row, column, value], dtype=object)  # None stays None (hidden), not NaN
