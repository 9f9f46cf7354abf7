"""The whole commissioning run (demand, forecast and surge flags, Kaplan-Meier waits, unmet need, capacity) over a
synthetic extract, against its floor: the one GROUP BY query that reads the same columns.

    .venv/bin/python benchmarks/commissioning_bench.py generate --rows 10000000 --data $CAREHUB_VAR_DIR/comm10m
    .venv/bin/python benchmarks/commissioning_bench.py run --data $CAREHUB_VAR_DIR/comm10m [--backend pyspark]

`generate` writes referrals.parquet and offers.parquet (synthetic.demand, seeded: nine years of
months with the planted patterns, scaled to --rows). `run` times the floor, then the run step by step (each step's
seconds from the progress callback), and prints the load average beside the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pyarrow.parquet as pq

FLOOR = """
SELECT year(received_at) * 100 + month(received_at) AS month, borough, channel, need, risk_level,
    count(*) AS n, min(survivor_key) AS k, sum(days_to_offer) AS a, sum(days_to_acceptance) AS b,
    sum(days_to_first_contact) AS c, sum(days_to_allocation) AS d, sum(days_observed) AS e,
    sum(support_weeks) AS f, sum(wants_by_and_for::INT) AS g, sum(offered_by_and_for::INT) AS h
FROM read_parquet('{path}') GROUP BY ALL
"""


def generate(rows: int, data: Path) -> None:
    from carehub.synthetic.demand import monthly_series, referral_extract

    probe = int(monthly_series(seed=1, base=1000.0).counts.sum())
    series = monthly_series(seed=1, base=1000.0 * rows / probe)
    data.mkdir(parents=True, exist_ok=True)
    for name, table in referral_extract(series, seed=2).items():
        pq.write_table(table, data / f"{name}.parquet", row_group_size=1_000_000)
        print(f"{name}: {table.num_rows:,} rows")


def run(data: Path, backend: str) -> None:
    from carehub.insight.commissioning.run import run as commissioning_run
    from carehub.insight.commissioning.settings import ChangePoint, Settings
    from carehub.insight.equality.backends import connect

    rows = pq.ParquetFile(data / "referrals.parquet").metadata.num_rows
    print(f"{rows:,} referrals, backend {backend}, load average {os.getloadavg()[0]:.1f}")
    if backend == "duckdb":
        import duckdb

        started = time.perf_counter()
        duckdb.sql(FLOOR.format(path=data / "referrals.parquet")).fetchall()
        print(f"floor (one GROUP BY over the same columns): {time.perf_counter() - started:.1f}s")
    con = connect(backend)
    marks: list[tuple[str, float]] = []
    settings = Settings(change_points=(ChangePoint("2022-10", "adjust", "the generator's recording break"),))
    started = time.perf_counter()
    commissioning_run(data, None, backend=backend, con=con, settings=settings,
                      progress=lambda step: marks.append((step, time.perf_counter())))  # fmt: skip
    total = time.perf_counter() - started
    for (step, at), (_, after) in zip(marks, [*marks[1:], ("end", started + total)], strict=True):
        print(f"  {after - at:6.1f}s  {step}")
    print(f"whole run: {total:.1f}s, load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("generate", "run"))
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--backend", choices=("duckdb", "pyspark"), default="duckdb")
    args = parser.parse_args()
    generate(args.rows, args.data) if args.command == "generate" else run(args.data, args.backend)


if __name__ == "__main__":
    main()
