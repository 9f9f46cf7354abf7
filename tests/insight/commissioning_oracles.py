"""The plain per-measure commissioning queries, kept as independent oracles for the run's demand cube.

The production run (`insight.commissioning.run`) reads one demand cube (`queries.demand_cube`), one GROUP BY of
people per month (`queries.people_by_month`) and one table per wait stage, and sums them; these functions compute
each measure with a query of its own, written the obvious way (calendar functions, a filter, a GROUP BY per
measure), so that a test can check the run's sums against them, cell keys included, on DuckDB and PySpark. They
live with the tests, not in `src/`, because nothing the hub runs calls them; `benchmarks/protect_bench.py` imports
them too (it puts the repository root on `sys.path`).
"""

from __future__ import annotations

import ibis
import pandas as pd

from carehub.insight.commissioning.demand import rates_table
from carehub.insight.commissioning.protect import KEYS
from carehub.insight.commissioning.queries import STAGES, _ckey, _frame
from carehub.insight.commissioning.settings import Settings


def month(table: ibis.Table) -> ibis.Value:
    """'YYYY-MM' built from integers: both backends format dates differently, integers are the same everywhere."""
    year, month = table.received_at.year(), table.received_at.month()
    return year.cast("string").concat(ibis.ifelse(month < 10, "-0", "-"), month.cast("string"))


def monthly_demand(referrals: ibis.Table, by: str | None = None) -> pd.DataFrame:
    """Referrals and unique people (the extract's survivor_key is the person's) per month, optionally per split."""
    keys = [month(referrals).name("month"), *([referrals[by]] if by else [])]
    names = ["month", *([by] if by else [])]
    expr = referrals.group_by(keys).aggregate(
        referrals=referrals.count(), people=referrals.survivor_key.nunique(), ckey=_ckey(referrals)
    )
    if by:  # people by split are not published: no person keys to count
        return _frame(expr, names).astype({"referrals": "int64", "people": "int64", "ckey": "int64"})
    # A published count of people is keyed by person: each woman's key once, however many referrals that month.
    women = referrals.select(*keys, "survivor_key", "person_record_key").distinct()
    people = women.group_by(names).aggregate(pkey=_ckey(women, "person_record_key"))
    frame = _frame(expr.join(people, names), names)
    return frame.astype({"referrals": "int64", "people": "int64", "ckey": "int64", "pkey": "int64"})


def _share(row: pd.DataFrame, whole: str, part: str, names: tuple[str, str]) -> dict[str, int | float]:
    """A one-row aggregate as a headline share: the whole, the part, part / whole, and the two counts' cell keys
    (a sum over no rows comes back null, read as 0)."""
    n, k = int(row[whole].iloc[0]), int(row[part].iloc[0] or 0)
    return {
        names[0]: n,
        names[1]: k,
        "share": k / n if n else float("nan"),
        f"{whole}_ckey": int(row[f"{whole}_ckey"].iloc[0] or 0),
        f"{part}_ckey": int(row[f"{part}_ckey"].iloc[0] or 0),
    }


def repeat_share(referrals: ibis.Table) -> dict[str, float | int]:
    """People referred more than once over the whole extract, as a share of people referred."""
    per_person = referrals.group_by("survivor_key").aggregate(n=referrals.count(), k=referrals.person_record_key.max())
    row = per_person.aggregate(
        people=per_person.count(),
        repeat=(per_person.n > 1).cast("int64").sum(),
        people_ckey=_ckey(per_person, "k"),
        repeat_ckey=(ibis.ifelse(per_person.n > 1, per_person.k, 0).sum() % KEYS).cast("int64"),
    ).to_pandas()
    return _share(row, "people", "repeat", ("people", "repeat_people"))


def by_and_for(referrals: ibis.Table) -> dict[str, int | float]:
    """Of women who asked for a by-and-for service, how many were offered one: a headline, not a table row."""
    asked = referrals.filter(referrals.wants_by_and_for)
    row = asked.aggregate(
        asked=asked.count(),
        offered=asked.offered_by_and_for.cast("int64").sum(),
        asked_ckey=_ckey(asked),
        offered_ckey=(ibis.ifelse(asked.offered_by_and_for, asked.record_key, 0).sum() % KEYS).cast("int64"),
    ).to_pandas()
    return _share(row, "asked", "offered", ("asked", "offered"))


def wait_counts(referrals: ibis.Table, stage: str) -> pd.DataFrame:
    """Counts per (whole days waited, finished) for one stage: still-waiting women are censored at days observed.

    Days are floored to whole days, so ties group and the table stays small whatever the volume."""
    days = referrals[STAGES[stage]]
    finished = days.notnull()
    time = ibis.coalesce(days, referrals.days_observed).floor().cast("int64")
    expr = referrals.group_by([time.name("days"), finished.name("finished")]).aggregate(
        women=referrals.count(), ckey=_ckey(referrals)
    )
    return _frame(expr, ["days", "finished"]).astype({"days": "int64", "finished": bool, "women": "int64"})


def waiting_list(referrals: ibis.Table, stage: str = "allocation") -> pd.DataFrame:
    """Women waiting at each month end: received by then, not yet through `stage` by then (or still waiting).

    The backend counts (month received, month through the stage); the running sum over months is done here, on a
    table of at most months x months rows."""
    through = referrals.received_at + referrals[STAGES[stage]].ceil().cast("int64").as_interval("D")
    out = through.year() * 100 + through.month()
    expr = referrals.group_by(
        [(referrals.received_at.year() * 100 + referrals.received_at.month()).name("entered"), out.name("left")]
    ).aggregate(women=referrals.count(), ckey=_ckey(referrals))
    pairs = expr.to_pandas()
    rows = []
    for month_ in sorted(set(pairs.entered)):
        there = pairs[(pairs.entered <= month_) & (pairs.left.isna() | (pairs.left > month_))]
        label = f"{month_ // 100:04d}-{month_ % 100:02d}"
        rows.append({"month": label, "waiting": int(there.women.sum()), "ckey": int(there.ckey.sum() % KEYS)})
    return pd.DataFrame(rows, columns=["month", "waiting", "ckey"])


def last_year(referrals: ibis.Table) -> tuple[ibis.Table, str, str]:
    """Referrals in the last 12 whole months of data, and the first and last month ("YYYY-MM") of that window."""
    latest = pd.Timestamp(referrals.received_at.max().to_pandas())
    months = latest.year * 12 + latest.month - 1 - 11  # the window's first month, counted in months from year 0
    start = pd.Timestamp(year=months // 12, month=months % 12 + 1, day=1, tz=latest.tz)
    window = referrals.filter(referrals.received_at >= ibis.literal(start))
    return window, f"{start.year:04d}-{start.month:02d}", f"{latest.year:04d}-{latest.month:02d}"


def borough_rates(
    referrals: ibis.Table,
    settings: Settings,
    populations: dict[str, float] | None = None,
    names: dict[str, str] | None = None,
) -> dict:
    """Referrals in the last 12 months per 10,000 adult women, by borough and for London, suppressed, with the norms
    (the query `demand.borough_rates_from_cube` must agree with).

    A referral whose borough is not known (blank) has a row with a count and no rate (a rate over the wrong people
    is worse than none); she is counted in London's total, whose population is the sum of the boroughs'."""
    window, first, last = last_year(referrals)
    frame = (
        window.group_by(window.borough.name("borough"))
        .aggregate(referrals=window.count(), ckey=_ckey(window))
        .to_pandas()
    )
    counts = {str(b or ""): int(n) for b, n in zip(frame.borough, frame.referrals, strict=True)}
    keys = {str(b or ""): int(k) for b, k in zip(frame.borough, frame.ckey, strict=True)}
    found = rates_table(counts, 12, settings, populations, names, keys=keys)
    return {"first_month": first, "last_month": last, **found}
