"""Equality impact engine: the full hub specification on synthetic referral extracts of growing size.

For each size (rows of `referrals.parquet`, written by carehub.synthetic.extracts, seeded) it times:
  - the engine on DuckDB: the whole hub.toml (every characteristic, metric, two-way intersection, quarter and
    borough), from Parquet to results in memory, split into counting (the backend) and analysis (statistics,
    suppression, findings); wall-clock and CPU seconds;
  - the baseline: DuckDB computing the same counts in one hand-written GROUPING SETS query (no mapping, no
    statistics), which the engine should stay within 3 times of;
  - the engine on PySpark in local mode (optional, --spark SIZE,...), with the session start-up apart.
The machine is shared: the load average before and after each step is printed beside the figures.

    .venv/bin/python benchmarks/eia_bench.py --rows 1000000,10000000,50000000 --spark 1000000,10000000
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import duckdb

from carehub.insight.equality import assess, connect, load_spec
from carehub.synthetic import extracts

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "src" / "carehub" / "insight" / "specs" / "hub.toml"
CHARACTERISTICS = [
    "ethnic_group", "ethnicity", "sex", "gender_identity", "gender_same_as_sex", "sexual_orientation", "disability",
    "age_band", "religion",
]  # fmt: skip
# Immigration status is only in the counts table beside the extract (immigration.parquet, a `referrals` count per
# row): the baseline sums it by status and by status and quarter in a second, tiny query.
IMMIGRATION_QUERY = """
SELECT immigration_status, quarter, GROUPING(immigration_status, quarter) AS grouping_id,
    sum(referrals) AS n,
    sum(CASE WHEN NOT sealed AND wants_by_and_for THEN referrals ELSE 0 END) AS bfa_den,
    sum(CASE WHEN NOT sealed AND wants_by_and_for AND offered_by_and_for THEN referrals ELSE 0 END) AS bfa_num,
    sum(CASE WHEN NOT sealed AND accepted THEN referrals ELSE 0 END) AS accepted_num,
    sum(CASE WHEN NOT sealed AND closed AND positive_outcome IS NOT NULL THEN referrals ELSE 0 END) AS outcome_den,
    sum(CASE WHEN NOT sealed AND closed AND positive_outcome THEN referrals ELSE 0 END) AS outcome_num
FROM read_parquet('{path}')
GROUP BY GROUPING SETS ((), (immigration_status), (immigration_status, quarter), (quarter))
"""
MEASURES = """
    count(*) AS n,
    sum(CASE WHEN NOT sealed THEN 1 ELSE 0 END) AS reach,
    sum(CASE WHEN NOT sealed AND wants_by_and_for THEN 1 ELSE 0 END) AS bfa_den,
    sum(CASE WHEN NOT sealed AND wants_by_and_for AND offered_by_and_for THEN 1 ELSE 0 END) AS bfa_num,
    sum(CASE WHEN NOT sealed AND accepted THEN 1 ELSE 0 END) AS accepted_num,
    sum(CASE WHEN NOT sealed AND closed AND positive_outcome IS NOT NULL THEN 1 ELSE 0 END) AS outcome_den,
    sum(CASE WHEN NOT sealed AND closed AND positive_outcome THEN 1 ELSE 0 END) AS outcome_num,
    count(CASE WHEN NOT sealed THEN days_waiting END) AS wait_n,
    sum(CASE WHEN NOT sealed THEN days_waiting END) AS wait_sum,
    sum(CASE WHEN NOT sealed THEN days_waiting::BIGINT * days_waiting END) AS wait_ssq
"""


def grouping_sets_query(path: Path) -> str:
    """The counts the hub assessment needs, as one GROUPING SETS query (what a careful analyst would write)."""
    singles = [f"({c})" for c in CHARACTERISTICS]
    crossed = [c for c in CHARACTERISTICS if c != "ethnicity"]
    pairs = [f"({a}, {b})" for i, a in enumerate(crossed) for b in crossed[i + 1 :]]
    quarters = ["(quarter)"] + [f"({c}, quarter)" for c in CHARACTERISTICS]
    areas = ["(borough)", "(borough, ethnic_group)", "(borough, ethnicity)"]
    waits = ["(wait)", "(quarter, wait)"] + [f"({c}, wait)" for c in CHARACTERISTICS]
    sets = ["()", *singles, *pairs, *quarters, *areas, *waits]
    keys = ", ".join([*CHARACTERISTICS, "quarter", "borough", "wait"])
    return (
        f"SELECT {keys}, GROUPING({keys}) AS grouping_id, {MEASURES} "
        f"FROM (SELECT *, CASE WHEN NOT sealed THEN days_waiting END AS wait FROM read_parquet('{path}')) "
        f"GROUP BY GROUPING SETS ({', '.join(sets)})"
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def extract(rows: int, folder: Path) -> Path:
    path = folder / f"rows_{rows}" / "referrals.parquet"  # immigration.parquet is written beside it
    if not path.exists() or not (path.parent / "immigration.parquet").exists():
        started = time.perf_counter()
        extracts.write_referrals(path, rows, seed=1)
        print(f"  wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s")
    return path


def time_engine(path: Path, con=None) -> dict:
    spec = load_spec(HUB)
    before, wall, cpu = load(), time.perf_counter(), cpu_seconds()
    assessment = assess(spec, extracts.extract_data(path), con=con)
    return {
        "wall": time.perf_counter() - wall,
        "cpu": cpu_seconds() - cpu,
        "counting": assessment.meta["seconds"]["counting"],
        "analysis": assessment.meta["seconds"]["analysis"],
        "results": len(assessment.results),
        "load": f"{before} -> {load()}",
    }


def time_grouping_sets(path: Path) -> dict:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    before, wall, cpu = load(), time.perf_counter(), cpu_seconds()
    rows = con.sql(grouping_sets_query(path)).fetchall()
    rows += con.sql(IMMIGRATION_QUERY.format(path=path.parent / "immigration.parquet")).fetchall()
    return {
        "wall": time.perf_counter() - wall,
        "cpu": cpu_seconds() - cpu,
        "rows": len(rows),
        "load": f"{before} -> {load()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,10000000", help="comma-separated sizes")
    parser.add_argument("--spark", default="", help="sizes to run on PySpark too (slow)")
    parser.add_argument("--dir", default=os.environ.get("CAREHUB_EIA_BENCH_DIR", "/tmp/eia_bench"))
    parser.add_argument("--skip-baseline", default="", help="sizes where the GROUPING SETS baseline is skipped")
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.rows.split(",") if s]
    spark_sizes = {int(s) for s in args.spark.split(",") if s}
    skip = {int(s) for s in args.skip_baseline.split(",") if s}
    print(f"{os.cpu_count()} cores; {load()}")
    for rows in sizes:
        path = extract(rows, folder)
        engine = min((time_engine(path) for _ in range(2)), key=lambda r: r["wall"])
        print(
            f"{rows:>11,} duckdb engine    {engine['wall']:6.2f} s wall {engine['cpu']:6.2f} s cpu "
            f"(counting {engine['counting']:.2f}, analysis {engine['analysis']:.2f}; {engine['results']:,} results) "
            f"[{engine['load']}]",
            flush=True,
        )
        if rows not in skip:
            baseline = time_grouping_sets(path)
            print(
                f"{rows:>11,} grouping sets    {baseline['wall']:6.2f} s wall {baseline['cpu']:6.2f} s cpu "
                f"({baseline['rows']:,} rows; engine/baseline {engine['wall'] / baseline['wall']:.2f}) "
                f"[{baseline['load']}]",
                flush=True,
            )
        if rows in spark_sizes:
            started = time.perf_counter()
            con = connect("pyspark")
            start_up = time.perf_counter() - started
            spark = time_engine(path, con=con)
            print(
                f"{rows:>11,} pyspark engine   {spark['wall']:6.2f} s wall (session start {start_up:.1f} s apart; "
                f"counting {spark['counting']:.2f}, analysis {spark['analysis']:.2f}) [{spark['load']}]",
                flush=True,
            )


if __name__ == "__main__":
    main()
