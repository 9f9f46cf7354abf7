"""Demand, unmet-need and wait-stage queries in Ibis over the extract's Parquet: exact counts with their cell keys.

Every query is a GROUP BY the backend does (DuckDB by default, PySpark for national volume through
`insight.equality.backends.connect`); only aggregates come back to Python, sorted, so the two backends give
identical frames. Waits come back as counts per (whole day, finished or still waiting), which is all Kaplan-Meier
needs (`waits.summarise` takes weights), so ten million referrals cost one small table per stage.

Each count comes back with its cell key (`ckey`: the sum of its records' keys mod 256, `protect`), and what is
published passes through `protect` (cell-key perturbation, then the threshold): the counts here are exact and
internal, and only `protect` turns them into published figures. Record keys are columns of the extract
(`record_key` per referral and per offer, `person_record_key` per person); an extract without them gets them in
the reading step (`open_extract`), so both backends sum the same integers.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..equality.backends import connect
from .protect import KEYS, TOTAL, record_keys  # noqa: F401 (TOTAL: the published tables' total label)

STAGES = {
    "offer": "days_to_offer",
    "acceptance": "days_to_acceptance",
    "first_contact": "days_to_first_contact",
    "allocation": "days_to_allocation",
}
SPLITS = ("borough", "channel", "need", "risk_level")


def open_extract(data_dir: Path, con: ibis.BaseBackend | None = None, secret: str = "") -> dict[str, ibis.Table]:
    """The extract's referrals and (when written) offers as Ibis tables, each with its record keys, and its services
    (the directory's staffing, nothing about a person, so no record keys) when the extract is recent enough to have
    them: an older extract has none, and capacity then says today's FTE is not recorded."""
    con = con or connect("duckdb")
    tables = {"referrals": con.read_parquet(_keyed(Path(data_dir) / "referrals.parquet", secret))}
    if (Path(data_dir) / "offers.parquet").exists():
        tables["offers"] = con.read_parquet(_keyed(Path(data_dir) / "offers.parquet", secret))
    if (Path(data_dir) / "services.parquet").exists():
        tables["services"] = con.read_parquet(str(Path(data_dir) / "services.parquet"))
    return tables


def _keyed(path: Path, secret: str) -> str:
    """The file itself when it carries its record keys; otherwise a copy with them added (keyed hashes of the
    pseudonymous keys: an offer takes its referral's key, a person's key is her survivor key's), kept in a temporary
    folder until the process ends. A copy rather than a join, so every query reads plain integer columns."""
    names = pq.read_schema(path).names
    if "record_key" in names and ("survivor_key" not in names or "person_record_key" in names):
        return str(path)
    table = pq.read_table(path)
    kind = "offer" if "survivor_key" not in names else "referral"
    table = table.append_column(
        "record_key", pa.array(record_keys((f"{kind}:{k}" for k in table["referral_key"].to_pylist()), secret))
    )
    if kind == "referral":
        people = record_keys((f"person:{k}" for k in table["survivor_key"].to_pylist()), secret)
        table = table.append_column("person_record_key", pa.array(people))
    folder = tempfile.mkdtemp(prefix="carehub-keyed-")
    atexit.register(shutil.rmtree, folder, True)
    out = Path(folder) / path.name
    pq.write_table(table, out)
    return str(out)


def _ckey(table: ibis.Table, column: str = "record_key") -> ibis.Value:
    """A cell's key: its records' keys summed, mod 256 (integers: the same on every backend)."""
    return (table[column].sum() % KEYS).cast("int64")


@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us(at: dt.Timestamp(timezone="UTC")) -> dt.int64:  # DuckDB
    ...


@ibis.udf.scalar.builtin(name="unix_micros")
def _unix_micros(at: dt.Timestamp(timezone="UTC")) -> dt.int64:  # Spark SQL
    ...


MICROS_A_DAY = 86_400_000_000


def day_number(at: ibis.Value) -> ibis.Value:
    """Whole days since 1970-01-01 (UTC) of a timestamp, as an integer.

    Why not `year()`/`month()`: on DuckDB those (and any cast of a zoned timestamp) go through ICU's calendar, which
    costs seconds over ten million rows, while microseconds since the epoch are read straight off the column; the
    calendar is then integer arithmetic (`month_number`), the same on every backend. Both backends' functions give
    the instant's microseconds, whatever the session's time zone; other backends use the calendar functions."""
    name = at._find_backend(use_default=True).name
    if name in ("duckdb", "pyspark"):
        micros = _epoch_us(at) if name == "duckdb" else _unix_micros(at)
        return micros // MICROS_A_DAY
    return at.delta(ibis.timestamp("1970-01-01 00:00:00", timezone="UTC"), unit="day")


def month_number(days: ibis.Value) -> ibis.Value:
    """year * 12 + month - 1 of a day number (days since 1970-01-01): the proleptic Gregorian calendar in integer
    arithmetic (H. Hinnant's civil_from_days, years counted from March so that the leap day ends a year)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097  # day of the 400-year era
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)  # day of the year counted from March 1
    mp = (5 * doy + 2) // 153  # month counted from March
    from_march = mp < 10
    year = yoe + era * 400 + ibis.ifelse(from_march, 0, 1)
    return year * 12 + ibis.ifelse(from_march, mp + 2, mp - 10)


def month_label(month: int) -> str:
    """'YYYY-MM' of a month number (year * 12 + month - 1)."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _frame(expr: ibis.Table, order: list[str]) -> pd.DataFrame:
    return expr.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)


def demand_cube(referrals: ibis.Table, since: pd.Timestamp | None = None) -> pd.DataFrame:
    """Referrals per (month number, borough, channel, need, risk level): one GROUP BY from which the monthly series,
    every split, the borough rates and the by-and-for headline are all summed (a few hundred thousand rows at most,
    whatever the volume), instead of a query each. With `since`, `recent` counts the referrals received after it.

    Each count has its cell key beside it (`ckey` for referrals, `asked_ckey`, `offered_ckey`, `recent_ckey`: the
    keys of the referrals it counts, summed mod 256), so any sum of cells is published on the key of exactly the
    referrals it counts, as a query of its own would give it (`protect.cell_key` sums the cells' keys).

    Missing splits are left out; a null split value stays null (None). The plain per-measure queries it
    replaced are kept in tests/insight/commissioning_oracles.py as its oracles."""
    month = month_number(day_number(referrals.received_at)).name("month")
    keys = [month, *(referrals[k] for k in SPLITS if k in referrals.columns)]
    measures = {"referrals": referrals.count(), "ckey": _ckey(referrals)}

    def keyed(condition: ibis.Value) -> tuple[ibis.Value, ibis.Value]:
        """The count of referrals meeting `condition`, and their cell key."""
        count = condition.cast("int64").sum()
        return count, (ibis.ifelse(condition, referrals.record_key, 0).sum() % KEYS).cast("int64")

    if "wants_by_and_for" in referrals.columns:
        asked = referrals.wants_by_and_for.fill_null(False)
        measures["asked"], measures["asked_ckey"] = keyed(asked)
        offered = asked & referrals.offered_by_and_for.fill_null(False)
        measures["offered"], measures["offered_ckey"] = keyed(offered)
    if since is not None:
        measures["recent"], measures["recent_ckey"] = keyed(referrals.received_at > ibis.literal(since))
    frame = referrals.group_by(keys).aggregate(**measures).to_pandas()
    frame = frame.fillna({name: 0 for name in measures}).astype({name: "int64" for name in measures})
    return frame.astype({k: object for k in frame.columns if k not in measures and k != "month"})


def people_by_month(referrals: ibis.Table) -> tuple[pd.DataFrame, dict[str, float | int]]:
    """Unique people per month and the repeat share (people referred more than once over the whole extract), from
    one GROUP BY (month, survivor_key) in the backend, summed twice: per month, and per person for the repeats.

    Counting distinct people per month and per split was the run's costliest part at volume; the splits publish
    referrals only, so only the monthly total needs people. A count of people is keyed by person (`pkey`: each
    woman's `person_record_key` once, however many referrals she had that month), as are the repeat share's two
    counts (`people_ckey`, `repeat_ckey`)."""
    month = month_number(day_number(referrals.received_at)).name("month")
    pairs = referrals.group_by([month, referrals.survivor_key]).aggregate(
        n=referrals.count(),
        k=referrals.person_record_key.max(),  # a person's key is the same on each referral
    )
    zero = ibis.literal(0, "int64")
    per_month = pairs.group_by("month").aggregate(people=pairs.count(), repeat=zero, pkey=_ckey(pairs, "k"), rkey=zero)
    per_person = pairs.group_by("survivor_key").aggregate(n=pairs.n.sum(), k=pairs.k.max())
    overall = per_person.aggregate(
        month=ibis.literal(-1, "int64"),
        people=per_person.count(),
        repeat=(per_person.n > 1).cast("int64").sum(),
        pkey=_ckey(per_person, "k"),
        rkey=(ibis.ifelse(per_person.n > 1, per_person.k, 0).sum() % KEYS).cast("int64"),
    )
    columns = ["month", "people", "repeat", "pkey", "rkey"]
    frame = per_month.select(*columns).union(overall.select(*columns)).to_pandas()  # one round trip
    frame = frame.fillna(0).astype("int64").sort_values("month").reset_index(drop=True)
    whole = frame[frame.month == -1].iloc[0]
    people, repeat = int(whole["people"]), int(whole["repeat"])
    share = {
        "people": people,
        "repeat_people": repeat,
        "share": repeat / people if people else float("nan"),
        "people_ckey": int(whole["pkey"]),
        "repeat_ckey": int(whole["rkey"]),
    }
    return frame[frame.month >= 0][["month", "people", "pkey"]].reset_index(drop=True), share


def declines(offers: ibis.Table, by: str = "service_type") -> pd.DataFrame:
    """Offers and declines by reason per `by` (service type, or by_and_for): the counts behind rates per 100."""
    reason = ibis.ifelse(offers.status == "declined", offers.decline_reason, "")
    expr = offers.group_by([offers[by].name(by), reason.name("decline_reason")]).aggregate(
        offers=offers.count(), ckey=_ckey(offers)
    )
    return _frame(expr, [by, "decline_reason"]).astype({"offers": "int64", "ckey": "int64"})
